// Runs on the audio rendering thread: dates the first sample of the agent's received track louder than
// the threshold, in the AudioContext's own time, so a busy page thread cannot make it late. Plain
// JavaScript: it is loaded as is by audioWorklet.addModule (agent-audio-meter.ts).
class FirstSample extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.threshold = options.processorOptions.threshold;
  }

  process(inputs) {
    const samples = inputs[0] && inputs[0][0];
    if (samples) {
      for (let i = 0; i < samples.length; i++) {
        if (Math.abs(samples[i]) > this.threshold) {
          this.port.postMessage({ contextTime: currentTime + i / sampleRate });
          return false; // done: the node may go
        }
      }
    }
    return true;
  }
}

registerProcessor('voxanne-first-sample', FirstSample);
