import assert from 'node:assert/strict';
import { beforeAll, test } from 'vitest';
import { APIError, initializeLogger, llm } from '@livekit/agents';

// Canaries for the two behaviours of @livekit/agents 1.9's LLMStream that GroqLLM is built
// around. If an upgrade changes either, these fail and the Groq stream's handling of
// `retryable` (and the advice to listen for 'error') should be revisited.

beforeAll(() => initializeLogger({ pretty: false, level: 'error' }));

/** Pushes "Hello" and then fails once with a retryable error; the second attempt succeeds. */
class FlakyStream extends llm.LLMStream {
  static attempts = 0;
  protected override async run(): Promise<void> {
    FlakyStream.attempts += 1;
    this.queue.put({ id: 'x', delta: { role: 'assistant', content: 'Hello' } });
    if (FlakyStream.attempts === 1) throw new APIError('dropped', { retryable: true });
    this.queue.put({ id: 'x', delta: { role: 'assistant', content: ' world' } });
  }
}

class FlakyLLM extends llm.LLM {
  override label(): string {
    return 'flaky';
  }
  override chat({ chatCtx }: { chatCtx: llm.ChatContext }): llm.LLMStream {
    return new FlakyStream(this, { chatCtx, connOptions: { maxRetry: 2, retryIntervalMs: 1, timeoutMs: 1000 } });
  }
}

async function textOf(stream: llm.LLMStream): Promise<string> {
  let text = '';
  for await (const c of stream) text += c.delta?.content ?? '';
  return text;
}

test('the base class retries on the same output: text sent before a retryable error is repeated', async () => {
  FlakyStream.attempts = 0;
  const model = new FlakyLLM();
  model.on('error', () => {});
  assert.equal(await textOf(model.chat({ chatCtx: llm.ChatContext.empty() })), 'HelloHello world');
  assert.equal(FlakyStream.attempts, 2);
});

test("without an 'error' listener the base class cannot retry, and iteration just ends", async () => {
  FlakyStream.attempts = 0;
  const model = new FlakyLLM();
  // emit('error') with no listener throws inside the retry loop; the stream swallows that
  assert.equal(await textOf(model.chat({ chatCtx: llm.ChatContext.empty() })), 'Hello');
  assert.equal(FlakyStream.attempts, 1);
});
