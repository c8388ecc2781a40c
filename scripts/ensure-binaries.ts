// Makes sure the pinned Go binaries exist (PATH, env override, or built into .cache/bin), printing their paths.
import { ensureGoBinary, pinnedSpecs } from './lib/livekit-binary.ts';

const specs = await pinnedSpecs();
for (const spec of Object.values(specs)) {
  const path = await ensureGoBinary(spec);
  console.log(`${spec.name} ${spec.version}: ${path}`);
}
