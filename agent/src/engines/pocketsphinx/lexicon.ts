/**
 * Pronunciations (CMU phone set, as the en-us acoustic model uses) for aesthetic-clinic words
 * that cmudict lacks, so a knowledge base naming these procedures and brands loads without
 * configuration. Written by hand from the usual American pronunciation; a clinic can override
 * or add words with the `extraPronunciations` option.
 */
export const CLINIC_PRONUNCIATIONS: Readonly<Record<string, string | readonly string[]>> = {
  abdominoplasty: 'AE B D AA M AH N OW P L AE S T IY',
  blepharoplasty: 'B L EH F ER OW P L AE S T IY',
  brachioplasty: 'B R EY K IY OW P L AE S T IY',
  coolsculpting: 'K UW L S K AH L P T IH NG',
  dermaplaning: 'D ER M AH P L EY N IH NG',
  dysport: 'D IH S P AO R T',
  gynecomastia: 'G AY N AH K OW M AE S T IY AH',
  hydrafacial: 'HH AY D R AH F EY SH AH L',
  juvederm: 'ZH UW V AH D ER M',
  kybella: 'K AY B EH L AH',
  labiaplasty: 'L EY B IY AH P L AE S T IY',
  lipo: ['L IH P OW', 'L AY P OW'],
  liposculpture: 'L IH P OW S K AH L P CH ER',
  mastopexy: 'M AE S T OW P EH K S IY',
  microneedling: 'M AY K R OW N IY D L IH NG',
  otoplasty: 'OW T OW P L AE S T IY',
  restylane: 'R EH S T AH L EY N',
  rhytidectomy: 'R IH T AH D EH K T AH M IY',
  sculptra: 'S K AH L P T R AH',
  voxanne: 'V AA K S AE N',
  xeomin: 'Z IY OW M IH N',
};
