/** How a bench run updates bench/results/latest.json. Pure. */

/**
 * A run replaces only what it measured: the pipelines it ran (with their samples and their problems,
 * which are prefixed with the pipeline's name), and the sweep if it ran. Everything else stays.
 */
export function mergeResults(
  old: Record<string, unknown>,
  fresh: Record<string, unknown> | undefined,
  sweep: unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...old };
  if (fresh) {
    const ran = Object.keys(asObject(fresh.samples));
    const oldProblems = Array.isArray(old.problems)
      ? old.problems.filter((p): p is string => typeof p === 'string')
      : [];
    Object.assign(out, fresh, {
      samples: { ...asObject(old.samples), ...asObject(fresh.samples) },
      problems: [
        ...oldProblems.filter((p) => !ran.some((n) => p.startsWith(`${n}: `))),
        ...(Array.isArray(fresh.problems) ? fresh.problems : []),
      ],
    });
  }
  if (sweep !== undefined) out.sweep = sweep;
  return out;
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
