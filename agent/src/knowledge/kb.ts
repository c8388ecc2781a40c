import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { knowledgeBaseSchema, type KnowledgeBase } from '@voxanne/contracts/knowledge-base';

export const DEFAULT_KB_PATH = fileURLToPath(new URL('../../knowledge/clinic.yaml', import.meta.url));

export class KnowledgeBaseError extends Error {
  override name = 'KnowledgeBaseError';
}

/** Parses and validates knowledge-base YAML; every problem is named with its path in the file. */
export function parseKnowledgeBase(text: string, source = 'knowledge base'): KnowledgeBase {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new KnowledgeBaseError(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  const result = knowledgeBaseSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new KnowledgeBaseError(`${source} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
}

export async function loadKnowledgeBase(path = DEFAULT_KB_PATH): Promise<KnowledgeBase> {
  return parseKnowledgeBase(await readFile(path, 'utf8'), path);
}
