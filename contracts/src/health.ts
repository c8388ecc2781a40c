/**
 * What `/readyz` answers, on the agent worker and on the web server alike (the agent reads the web
 * server's `checks.db`: it reaches the records database only through it). Pure.
 */
export interface ReadinessChecks {
  livekit: 'up' | 'down';
  /** 'none': this process has no records database configured, nothing to be ready for */
  db: 'up' | 'down' | 'none';
  /** the agent: a job process with its engines loaded waits for a call; the web server: 'n/a' */
  engines: 'warm' | 'cold' | 'n/a';
  /** stopping: finishing its calls, taking no new ones */
  draining: boolean;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessChecks;
}

/** Ready only when every check passes: a load balancer or LiveKit should send it work now. */
export function readiness(checks: ReadinessChecks): Readiness {
  const ready = checks.livekit === 'up' && checks.db !== 'down' && checks.engines !== 'cold' && !checks.draining;
  return { ready, checks };
}
