// One pocketsphinx decoder, owned by this worker thread for its whole life, so decoding never runs
// on the agent's event loop and the (not thread-safe) decoder is only ever touched by one thread.
// Plain JavaScript on purpose: tsx's loader hooks are not inherited by worker threads on Node 20.
//
// Binds the Debian 0.8+5prealpha C API (libpocketsphinx.so.3 / libsphinxbase.so.3) with koffi.
// Signatures checked against /usr/include/pocketsphinx/pocketsphinx.h and sphinxbase/cmd_ln.h, err.h.
//
// workerData: { pocketsphinxLib: string, sphinxbaseLib: string, args: string[] (flag/value pairs),
//              mix?: { lm: string, general: string, weight: number } }
//   mix: the search uses sphinxbase's interpolated LM set of the domain model `lm` (weight `weight`) and
//   the general model `general` (1 - weight) instead of `-lm` alone; the dictionary bounds its vocabulary.
// in:  { op: 'start' }                          begin an utterance
//      { op: 'audio', samples: Int16Array }      16 kHz mono, any length
//      { op: 'partial', id }                     → { id, ok, text }
//      { op: 'end', id }                         → { id, ok, text, score, decodeMs, cpuMs, samples }
//      { op: 'recognize', id, samples }          whole-buffer decode → same reply as 'end'
//      { op: 'close', id }                       → { id, ok }, frees the decoder, then the worker exits
// out: { type: 'ready', initMs } once, after the model is loaded; replies as above; a failed
//      request replies { id, ok: false, error }. A failure outside a request (audio) is kept and
//      reported by the next request, because audio messages have no reply.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const koffi = require('koffi');

const ps = koffi.load(workerData.pocketsphinxLib);
const sb = koffi.load(workerData.sphinxbaseLib);
koffi.opaque('ps_decoder_t');
koffi.opaque('cmd_ln_t');
koffi.opaque('arg_t');
koffi.opaque('FILE');
koffi.opaque('ngram_model_t');
koffi.opaque('logmath_t');

// CPU time of this thread (CLOCK_THREAD_CPUTIME_ID): what decoding costs, whatever else the machine runs
const libc = koffi.load('libc.so.6');
koffi.struct('timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });
const clockGettime = libc.func('int clock_gettime(int clk, _Out_ timespec *ts)');
const CLOCK_THREAD_CPUTIME_ID = 3;
function cpuMs() {
  const ts = {};
  clockGettime(CLOCK_THREAD_CPUTIME_ID, ts);
  return Number(ts.tv_sec) * 1000 + Number(ts.tv_nsec) / 1e6;
}

const api = {
  ps_args: ps.func('const arg_t *ps_args(void)'),
  ps_init: ps.func('ps_decoder_t *ps_init(cmd_ln_t *config)'),
  ps_free: ps.func('int ps_free(ps_decoder_t *ps)'),
  ps_start_utt: ps.func('int ps_start_utt(ps_decoder_t *ps)'),
  ps_process_raw: ps.func(
    'int ps_process_raw(ps_decoder_t *ps, const int16_t *data, size_t n_samples, int no_search, int full_utt)',
  ),
  ps_end_utt: ps.func('int ps_end_utt(ps_decoder_t *ps)'),
  ps_get_hyp: ps.func('const char *ps_get_hyp(ps_decoder_t *ps, _Out_ int32_t *out_best_score)'),
  cmd_ln_parse_r: sb.func(
    'cmd_ln_t *cmd_ln_parse_r(cmd_ln_t *inout_cmdln, const arg_t *defn, int32_t ' +
      'argc, const char **argv, int32_t strict)',
  ),
  cmd_ln_free_r: sb.func('int cmd_ln_free_r(cmd_ln_t *cmdln)'),
  err_set_logfp: sb.func('void err_set_logfp(FILE *stream)'),
  ps_get_logmath: ps.func('logmath_t *ps_get_logmath(ps_decoder_t *ps)'),
  ps_get_config: ps.func('cmd_ln_t *ps_get_config(ps_decoder_t *ps)'),
  ps_set_lm: ps.func('int ps_set_lm(ps_decoder_t *ps, const char *name, ngram_model_t *lm)'),
  ps_set_search: ps.func('int ps_set_search(ps_decoder_t *ps, const char *name)'),
  ngram_model_read: sb.func(
    'ngram_model_t *ngram_model_read(cmd_ln_t *config, const char *file_name, int file_type, logmath_t *lmath)',
  ),
  ngram_model_set_init: sb.func(
    'ngram_model_t *ngram_model_set_init(cmd_ln_t *config, ngram_model_t **models, const char **names, ' +
      'const float *weights, int32_t n_models)',
  ),
  ngram_model_free: sb.func('int ngram_model_free(ngram_model_t *model)'),
};

// Logging off process-wide. Not "-logfn /dev/null": ps_init would then fopen the file and fclose
// the previous global log stream, which another worker's decoder may be writing to at that moment.
api.err_set_logfp(null);

const t0 = performance.now();
const args = workerData.args;
const config = api.cmd_ln_parse_r(null, api.ps_args(), args.length, args, 1);
if (!config) throw new Error(`pocketsphinx rejected its arguments: ${args.join(' ')}`);
const decoder = api.ps_init(config);
// ps_init keeps its own reference to the configuration
api.cmd_ln_free_r(config);
if (!decoder) throw new Error(`pocketsphinx could not load its model (check the paths): ${args.join(' ')}`);

// The interpolated set: both models read with the decoder's log base and its language weight, as
// ps_init reads -lm. NGRAM_AUTO (0) tells ARPA text from binary. ps_set_lm keeps its own reference.
const mix = workerData.mix;
if (mix) {
  const cfg = api.ps_get_config(decoder);
  const lmath = api.ps_get_logmath(decoder);
  const domain = api.ngram_model_read(cfg, mix.lm, 0, lmath);
  const general = domain && api.ngram_model_read(cfg, mix.general, 0, lmath);
  if (!domain || !general) throw new Error(`pocketsphinx could not read ${domain ? mix.general : mix.lm}`);
  const set = api.ngram_model_set_init(cfg, [domain, general], ['domain', 'general'], [mix.weight, 1 - mix.weight], 2);
  if (!set) throw new Error('pocketsphinx could not interpolate the domain and general models');
  check(api.ps_set_lm(decoder, 'mix', set), 'ps_set_lm');
  check(api.ps_set_search(decoder, 'mix'), 'ps_set_search');
  api.ngram_model_free(set);
}

let inUtterance = false;
let pendingError;
let utt = { decodeMs: 0, cpuMs: 0, samples: 0 };

function check(rc, what) {
  if (rc < 0) throw new Error(`pocketsphinx ${what} failed (${rc})`);
}

function start() {
  if (inUtterance) check(api.ps_end_utt(decoder), 'ps_end_utt');
  check(api.ps_start_utt(decoder), 'ps_start_utt');
  inUtterance = true;
  utt = { decodeMs: 0, cpuMs: 0, samples: 0 };
}

function feed(samples, fullUtterance) {
  if (!inUtterance) throw new Error('audio outside an utterance');
  const t = performance.now();
  const c = cpuMs();
  check(api.ps_process_raw(decoder, samples, samples.length, 0, fullUtterance ? 1 : 0), 'ps_process_raw');
  utt.decodeMs += performance.now() - t;
  utt.cpuMs += cpuMs() - c;
  utt.samples += samples.length;
}

function hypothesis() {
  const score = [0];
  const text = api.ps_get_hyp(decoder, score) ?? '';
  // a compound dictionary entry ("twenty_second", "tummy_tuck") is its words
  return { text: text.replace(/_/g, ' ').trim(), score: score[0] };
}

function end() {
  if (!inUtterance) return { text: '', score: 0, decodeMs: 0, cpuMs: 0, samples: 0 };
  const t = performance.now();
  const c = cpuMs();
  check(api.ps_end_utt(decoder), 'ps_end_utt');
  inUtterance = false;
  utt.decodeMs += performance.now() - t;
  utt.cpuMs += cpuMs() - c;
  return { ...hypothesis(), decodeMs: utt.decodeMs, cpuMs: utt.cpuMs, samples: utt.samples };
}

function handle(msg) {
  switch (msg.op) {
    case 'start':
      start();
      return undefined;
    case 'audio':
      feed(msg.samples, false);
      return undefined;
    case 'partial':
      return { text: inUtterance ? hypothesis().text : '' };
    case 'end':
      return end();
    case 'recognize':
      start();
      feed(msg.samples, true);
      return end();
    default:
      throw new Error(`unknown request ${msg.op}`);
  }
}

parentPort.on('message', (msg) => {
  if (msg.op === 'close') {
    if (inUtterance) api.ps_end_utt(decoder);
    api.ps_free(decoder);
    parentPort.postMessage({ id: msg.id, ok: true });
    parentPort.close();
    return;
  }
  try {
    if (pendingError && msg.id !== undefined) throw pendingError;
    const result = handle(msg);
    if (msg.id !== undefined) parentPort.postMessage({ id: msg.id, ok: true, ...result });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    if (msg.id !== undefined) parentPort.postMessage({ id: msg.id, ok: false, error });
    else pendingError ??= new Error(error);
  }
});

parentPort.postMessage({ type: 'ready', initMs: performance.now() - t0 });
