import { enginesLines, isActive, statusLabel, type CallModel, type TranscriptLine } from './call-model.ts';

export interface ViewHandlers {
  onTalk(): void;
  onHangUp(): void;
  onUnlockAudio(): void;
}

function byId<T extends HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (!el) throw new Error(`index.html is missing #${id}`);
  return el as T;
}

/** Draws a CallModel into index.html's skeleton. Transcript lines are keyed so interim text updates in place. */
export class CallView {
  readonly audioElement: HTMLAudioElement;
  private readonly app: HTMLElement;
  private readonly talk: HTMLButtonElement;
  private readonly orb: HTMLElement;
  private readonly status: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly speaking: HTMLElement;
  private readonly speakingLabel: HTMLElement;
  private readonly unlock: HTMLButtonElement;
  private readonly error: HTMLElement;
  private readonly transcript: HTMLOListElement;
  private readonly transcriptEmpty: HTMLElement;
  private readonly engines: HTMLElement;
  private readonly lines = new Map<string, HTMLLIElement>();
  private shownTranscripts: readonly TranscriptLine[] = [];

  constructor(doc: Document, handlers: ViewHandlers) {
    this.app = byId(doc, 'app');
    this.talk = byId(doc, 'talk');
    this.orb = byId(doc, 'orb');
    this.status = byId(doc, 'status');
    this.controls = byId(doc, 'controls');
    this.speaking = byId(doc, 'speaking');
    this.speakingLabel = byId(doc, 'speaking-label');
    this.unlock = byId(doc, 'unlock-audio');
    this.error = byId(doc, 'error');
    this.transcript = byId(doc, 'transcript');
    this.transcriptEmpty = byId(doc, 'transcript-empty');
    this.engines = byId(doc, 'engines');
    this.audioElement = byId(doc, 'agent-audio');
    this.talk.addEventListener('click', handlers.onTalk);
    byId(doc, 'hangup').addEventListener('click', handlers.onHangUp);
    this.unlock.addEventListener('click', handlers.onUnlockAudio);
  }

  render(m: CallModel): void {
    const active = isActive(m.phase);
    this.app.dataset.phase = m.phase;
    this.app.dataset.state = m.agentState ?? '';
    this.talk.hidden = active;
    this.orb.hidden = !active;
    this.controls.hidden = !active;

    this.status.textContent = statusLabel(m);
    this.status.dataset.phase = m.phase;
    this.status.dataset.state = m.agentState ?? '';

    this.speaking.dataset.speaking = String(m.userSpeaking);
    this.speakingLabel.textContent = m.userSpeaking ? 'You are speaking' : 'Your microphone is on';
    this.unlock.hidden = !m.audioBlocked;

    this.error.hidden = m.error === null;
    this.error.textContent = m.error?.message ?? '';
    if (m.error) this.error.dataset.kind = m.error.kind;
    else delete this.error.dataset.kind;

    this.renderTranscript(m.transcripts);
    this.engines.hidden = m.engines === null;
    const last = m.metrics.at(-1);
    const latency =
      last?.voiceToVoiceMs != null ? [`Last reply started ${last.voiceToVoiceMs} ms after you stopped speaking`] : [];
    this.engines.replaceChildren(
      ...(m.engines ? [...enginesLines(m.engines), ...latency] : []).map((text) => span(text)),
    );
  }

  private renderTranscript(lines: readonly TranscriptLine[]): void {
    if (lines === this.shownTranscripts) return;
    this.shownTranscripts = lines;
    const wanted = new Set<string>();
    const atBottom = this.transcript.scrollHeight - this.transcript.scrollTop - this.transcript.clientHeight < 40;
    for (const line of lines) {
      const key = `${line.speaker}:${line.id}`;
      wanted.add(key);
      let li = this.lines.get(key);
      if (!li) {
        li = document.createElement('li');
        li.dataset.testid = 'transcript-line';
        li.dataset.id = line.id;
        li.dataset.speaker = line.speaker;
        li.className = `line ${line.speaker}`;
        li.append(span(line.speaker === 'agent' ? 'Voxanne' : 'You', 'who'), span('', 'text'));
        this.lines.set(key, li);
        this.transcript.append(li);
      }
      li.dataset.final = String(line.final);
      li.lastElementChild!.textContent = line.text;
    }
    for (const [key, li] of this.lines) {
      if (!wanted.has(key)) {
        li.remove();
        this.lines.delete(key);
      }
    }
    this.transcriptEmpty.hidden = lines.length > 0;
    if (atBottom) this.transcript.scrollTop = this.transcript.scrollHeight;
  }
}

function span(text: string, className?: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.textContent = text;
  if (className) s.className = className;
  return s;
}
