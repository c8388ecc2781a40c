import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { parse } from 'yaml';
import { inferConsultation, knowledgeBaseSchema, type KnowledgeBase } from './src/knowledge-base.ts';

const shipped = knowledgeBaseSchema.parse(
  parse(readFileSync(new URL('../agent/knowledge/clinic.yaml', import.meta.url), 'utf8')),
);
/** the shipped clinic as stored before the flag existed, with its services renamed as `rename` says */
function old(rename: (s: KnowledgeBase['services'][number]) => { id?: string; name?: string } = () => ({})) {
  return {
    ...shipped,
    services: shipped.services.map(({ consultation: _, ...s }) => ({ ...s, ...rename(s) })),
  } as KnowledgeBase;
}
const inferred = (kb: KnowledgeBase) => inferConsultation(kb)?.service.id;

describe('inferConsultation: the consultation service of a knowledge base stored before the flag', () => {
  it('the service whose id is consultation', () => {
    assert.equal(inferred(old()), 'consultation');
    assert.equal(
      inferConsultation(old())?.index,
      shipped.services.findIndex((s) => s.id === 'consultation'),
    );
  });

  it('else the one service whose name says consultation', () => {
    const kb = old((s) => (s.id === 'consultation' ? { id: 'first-visit', name: 'Initial Consultation' } : {}));
    assert.equal(inferred(kb), 'first-visit');
  });

  it('none when two names say consultation, when none does, or when one is already marked', () => {
    const two = old((s) =>
      s.id === 'consultation'
        ? { id: 'first-visit', name: 'Consultation' }
        : s.id === 'bbl'
          ? { name: 'BBL consultation' }
          : {},
    );
    assert.equal(inferred(two), undefined);
    assert.equal(
      inferred(old((s) => (s.id === 'consultation' ? { id: 'first-visit', name: 'First visit' } : {}))),
      undefined,
    );
    assert.equal(inferred(shipped), undefined);
  });
});
