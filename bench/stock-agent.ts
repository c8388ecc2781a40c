/**
 * The benchmark's reference pipelines: a stock @livekit/agents AgentSession with the local end-of-turn
 * model (LiveKit's cloud turn detector is unreachable here), in two configurations:
 * - `STOCK_TUNING=default` (the bench's `stock`): the framework's default endpointing, interruption
 *   and preemptive-generation settings;
 * - `STOCK_TUNING=tuned` (`stock-tuned`): set up as fast as the framework allows, per LiveKit's turn
 *   handling docs: preemptive generation with preemptive TTS, the turn detector with dynamic
 *   endpointing from a 200 ms floor (its ceiling is the streaming detector's 2.5 s when the model
 *   finds the end unlikely), VAD interruptions after 200 ms of speech instead of 500, and a false
 *   interruption resumed after 1 s instead of 2.
 * Both get the very same STT, LLM, TTS and VAD adapters Voxanne uses (and her Deepgram endpointing
 * default), so the benchmark compares the orchestration, not the providers.
 * Run by bench/run.ts as a worker process: node --import tsx bench/stock-agent.ts start
 */
import {
  cli,
  defineAgent,
  inference,
  log,
  voice,
  WorkerOptions,
  type JobContext,
  type JobProcess,
} from '@livekit/agents';
import { fileURLToPath } from 'node:url';
import { parseAgentConfig } from '../agent/src/config.ts';
import { buildInstructions } from '../agent/src/core/instructions.ts';
import { createEngines, type EngineSet } from '../agent/src/engines/index.ts';
import { loadKnowledgeBase } from '../agent/src/knowledge/kb.ts';
import { workerConnection } from '../agent/src/worker/worker-options.ts';

interface ProcData {
  engines: EngineSet;
  instructions: string;
  greeting: string;
  [key: string]: unknown;
}

export default defineAgent<ProcData>({
  prewarm: async (proc: JobProcess<ProcData>) => {
    const config = parseAgentConfig(process.env);
    const kb = await loadKnowledgeBase(config.KNOWLEDGE_BASE_PATH);
    proc.userData.engines = await createEngines(config, kb);
    proc.userData.instructions = buildInstructions(kb);
    proc.userData.greeting = kb.agent.greeting;
    log().info({ engines: proc.userData.engines.info }, 'engines ready');
  },

  entry: async (ctx: JobContext<ProcData>) => {
    const { engines, instructions, greeting } = ctx.proc.userData;
    await ctx.connect();
    const turnDetection = new inference.TurnDetector({ version: 'v1-mini' });
    const session = new voice.AgentSession({
      stt: engines.stt,
      llm: engines.llm,
      tts: engines.tts,
      vad: engines.vad,
      turnHandling:
        process.env.STOCK_TUNING === 'tuned'
          ? {
              turnDetection,
              endpointing: { mode: 'dynamic', minDelay: 200, maxDelay: 2500 },
              interruption: {
                mode: 'vad',
                minDuration: 200,
                falseInterruptionTimeout: 1000,
                resumeFalseInterruption: true,
              },
              preemptiveGeneration: { enabled: true, preemptiveTts: true },
            }
          : { turnDetection },
    });
    await session.start({ agent: new voice.Agent({ instructions }), room: ctx.room });
    session.say(greeting);
  },
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = parseAgentConfig(process.env);
  cli.runApp(
    new WorkerOptions({
      // dispatched like Voxanne (the bench's callers create their rooms with this name's dispatch)
      ...workerConnection(config, fileURLToPath(import.meta.url)),
      numIdleProcesses: 1,
      // as Voxanne's worker (agent/src/main.ts): loading the models can take more than the framework's 10 s on a
      // busy machine, and a job process killed at 10 s is started again and again
      initializeProcessTimeout: 60_000,
      loadFunc: async (server) => server.activeJobs.length / config.MAX_CONCURRENT_CALLS,
    }),
  );
}
