import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { auditFilterText, auditWhat } from './audit-text.ts';

describe('audit page wording', () => {
  it('names what was looked at, and links a call', () => {
    assert.deepEqual(auditWhat({ action: 'call.view', target: 'c-1' }), {
      label: 'Opened a call (transcript, caller, bookings)',
      detail: 'c-1',
      callId: 'c-1',
    });
    assert.deepEqual(auditWhat({ action: 'live.view', target: 'stream' }), {
      label: 'Watched live calls',
      detail: 'live updates',
    });
    assert.equal(auditWhat({ action: 'calls.list', target: '' }).detail, '');
  });

  it("reads a list's filter in words, leaving out paging", () => {
    assert.equal(auditFilterText('q=%2B1555&status=completed&limit=25&offset=50'), 'search +1555, status completed');
    assert.equal(auditFilterText('from=2026-01-01T08%3A00%3A00.000Z'), 'from 2026-01-01T08:00:00.000Z');
  });
});
