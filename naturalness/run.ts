/**
 * npm run naturalness — the naturalness suite against the offline brain, or against Groq when
 * GROQ_API_KEY is set (GROQ_BASE_URL and GROQ_MODEL are honoured). Prints every reply and check,
 * writes naturalness/results/latest.json, and exits non-zero below the 95% target.
 */
import { initializeLogger } from '@livekit/agents';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GroqLLM } from '../agent/src/engines/groq/groq-llm.ts';
import { RulesLLM } from '../agent/src/engines/rules/rules-llm.ts';
import { loadKnowledgeBase } from '../agent/src/knowledge/kb.ts';
import { SCENARIO_NOW } from './scenarios.ts';
import { formatReport, runSuite } from './suite.ts';

export const TARGET = 0.95;
export const RESULTS_PATH = fileURLToPath(new URL('./results/latest.json', import.meta.url));

async function main(): Promise<void> {
  initializeLogger({ pretty: false, level: 'warn' });
  const kb = await loadKnowledgeBase(process.env.KNOWLEDGE_BASE_PATH || undefined);
  const key = process.env.GROQ_API_KEY;
  const model = key
    ? new GroqLLM({
        apiKey: key,
        ...(process.env.GROQ_BASE_URL ? { baseURL: process.env.GROQ_BASE_URL } : {}),
        ...(process.env.GROQ_MODEL ? { model: process.env.GROQ_MODEL } : {}),
      })
    : new RulesLLM({ kb, now: () => SCENARIO_NOW });
  const report = await runSuite(kb, model, key ? 'groq' : 'offline');
  console.log(formatReport(report));
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(RESULTS_PATH, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Results: ${RESULTS_PATH}`);
  if (report.pass_rate < TARGET) {
    console.error(`Below the ${TARGET * 100}% target.`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
