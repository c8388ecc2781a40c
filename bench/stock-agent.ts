/**
 * The benchmark's reference pipeline: a stock @livekit/agents AgentSession with its default
 * endpointing and interruption settings and the local end-of-turn model (LiveKit's cloud turn
 * detector is unreachable here). It gets the very same STT, LLM and TTS adapters Voxanne uses, so
 * the benchmark compares the orchestration, not the providers.
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
    const session = new voice.AgentSession({
      stt: engines.stt,
      llm: engines.llm,
      tts: engines.tts,
      vad: engines.vad,
      turnHandling: { turnDetection: new inference.TurnDetector({ version: 'v1-mini' }) },
    });
    await session.start({ agent: new voice.Agent({ instructions }), room: ctx.room });
    session.say(greeting);
  },
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = parseAgentConfig(process.env);
  cli.runApp(
    new WorkerOptions({
      agent: fileURLToPath(import.meta.url),
      wsURL: config.LIVEKIT_URL,
      apiKey: config.LIVEKIT_API_KEY,
      apiSecret: config.LIVEKIT_API_SECRET,
      // dispatched like Voxanne (the bench's callers create their rooms with this name's dispatch)
      agentName: config.AGENT_NAME,
      port: config.AGENT_HTTP_PORT,
      host: '127.0.0.1',
      numIdleProcesses: 1,
      loadFunc: async (server) => server.activeJobs.length / config.MAX_CONCURRENT_CALLS,
      loadThreshold: 1,
      logLevel: config.LOG_LEVEL,
    }),
  );
}
