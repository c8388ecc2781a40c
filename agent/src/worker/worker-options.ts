/**
 * What every worker of this project (Voxanne's, and the bench's stock peer) says to LiveKit: where the
 * server is, under which name it is dispatched, where its own HTTP port listens. Each adds its own
 * admission (requestFunc/loadFunc) and start-up settings.
 */
import type { AgentConfig } from '../config.ts';

export const workerConnection = (config: AgentConfig, agentFile: string) => ({
  agent: agentFile,
  wsURL: config.LIVEKIT_URL,
  apiKey: config.LIVEKIT_API_KEY,
  apiSecret: config.LIVEKIT_API_SECRET,
  // explicit dispatch only: the web server, SIP dispatch rules and outbound calls name her
  agentName: config.AGENT_NAME,
  port: config.AGENT_HTTP_PORT,
  host: '127.0.0.1',
  // load is a share of MAX_CONCURRENT_CALLS, so 1 means full
  loadThreshold: 1,
  logLevel: config.LOG_LEVEL,
});
