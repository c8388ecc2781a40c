/**
 * The agent worker. `main.ts` only wires: config → engines → one CallSession per job.
 * Run: node --import tsx agent/src/main.ts start   (npm start does this for you)
 */
import { AutoSubscribe, cli, defineAgent, log, WorkerOptions, type JobContext, type JobProcess } from '@livekit/agents';
import { RoomEvent, type AudioFrame } from '@livekit/rtc-node';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AudioOut } from './call/audio-out.ts';
import { CallSession } from './call/call-session.ts';
import { CALLER_WAIT_MS, GreetingGate, type GreetingStart } from './core/greeting-gate.ts';
import { silentLeadFrames } from './core/audio/leading-silence.ts';
import { splitSentences } from './core/sentence-chunker.ts';
import type { CannedSentence } from './call/reply.ts';
import { parseAgentConfig, type AgentConfig } from './config.ts';
import { systemClock } from './call/system-clock.ts';
import { createEngines, loadVad, type EngineSet } from './engines/index.ts';
import { defaultAgentLines, type AgentLines } from './core/agent-lines.ts';
import { buildInstructions } from './core/instructions.ts';
import { loadKnowledgeBase } from './knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { piiLogOptions } from '@voxanne/contracts/env';
import { createRecordsClient, prepareCall } from './call/clinic-services.ts';
import { loadSmartKey, type SmartKey } from './records/fhir/index.ts';
import { humanize } from './core/humanizer/index.ts';
import { createGroqSummarizer } from './engines/groq/summarize.ts';
import {
  INBOUND_ANSWER_WAIT_MS,
  maskPhoneNumber,
  outboundGreeting,
  outboundPurpose,
} from './core/phone/phone-number.ts';
import { PhoneCall } from './phone/phone-call.ts';
import { asksForPerson } from './core/receptionist/understand.ts';
import { phoneFromSpeech } from './core/text/caller-input.ts';
import type { DictationKind } from './core/dictation.ts';
import { emergencyRule } from './core/emergency.ts';
import { answeredWithin, phoneCaller, untilAnswered } from './phone/phone-caller.ts';
import { bridgeTransfer, bridgedCaller, listenForPlayout } from './phone/bridged-caller.ts';
import { FarEndPlayout } from './core/phone/far-end-playout.ts';
import { phoneStt } from './phone/phone-stt.ts';
import { RelayVoice, relayEngines, relayListener } from './phone/relay.ts';
import { TWILIO_MEDIA_CHANNEL, TWILIO_RELAY_CHANNEL } from '@voxanne/contracts/protocol';
import { parseCallRoomMetadata, STANDBY_CALLER_WAIT_MS } from '@voxanne/contracts/call-room';
import { checkPocketsphinxInstall } from './engines/pocketsphinx/install-check.ts';
import { checkBeforeRegistering, guardPrewarm, stopWhenAJobCannotStart } from './worker/start-failure.ts';
import { onAgentStopping } from './worker/agent-stopping.ts';
import { parseRecoveryMetadata } from './core/recovery.ts';
import { restoreCall } from './call/restore-call.ts';
import { announceCall, announceCallEnded, onJobProcessExit } from './worker/job-exit-hook.ts';
import { CallRecovery } from './worker/call-recovery.ts';
import { heldCalls, onJobProcessStart } from './worker/job-exit-hook.ts';
import { WorkerLease } from './worker/worker-lease.ts';
import { reportMetric, timedFetch, WorkerMetrics } from './worker/metrics.ts';
import { startHealthServer } from './worker/health-server.ts';
import { callOutcome } from './core/call-metrics.ts';
import { callCounters } from './call/counters.ts';
import { WorkerAdmission } from './worker/admission.ts';
import { workerConnection } from './worker/worker-options.ts';
import { withoutInferenceProcess } from './worker/no-inference-process.ts';
import { busyLinePlayer } from './worker/busy-line.ts';
import { callerExpectation } from './core/caller-trust.ts';
import { waitForTrustedCaller } from './call/trusted-caller.ts';

interface ProcData {
  /** parsed once in prewarm; a job process is its own process, so it cannot receive the worker's */
  config: AgentConfig;
  engines: EngineSet;
  greeting: { text: string; audio: CannedSentence[] };
  lines: AgentLines;
  instructions: string;
  clinicName: string;
  kb: KnowledgeBase;
  /** the SMART backend-services key for FHIR scheduling (FHIR_PRIVATE_KEY_FILE), read once */
  fhirKey?: SmartKey;
  [key: string]: unknown;
}

export default defineAgent<ProcData>({
  // Once per job process, before any call: load the clinic, build the engines, pre-synthesise the
  // greeting so she speaks the moment a caller joins.
  prewarm: guardPrewarm(async (proc: JobProcess<ProcData>) => {
    const config = parseAgentConfig(process.env);
    const kb = await loadKnowledgeBase(config.KNOWLEDGE_BASE_PATH);
    const engines = await createEngines(config, kb);
    // the greeting is a reply like any other: shaped for the voice before it is synthesised, and
    // synthesised sentence by sentence as a reply is, so a caller who cuts into it hears again only
    // the sentence they cut into, not the whole greeting
    const greetingText = humanize(kb.agent.greeting, { kind: 'line' });
    const audio: CannedSentence[] = [];
    for (const text of splitSentences(greetingText)) {
      const frames: AudioFrame[] = [];
      for await (const a of engines.tts.synthesize(text)) frames.push(a.frame);
      audio.push({ text, audio: frames });
    }
    // the synthesiser's breath of silence before the first word is only waiting at the start of a call
    const first = audio[0]?.audio;
    if (first)
      first.splice(
        0,
        silentLeadFrames(
          first.map((f) => f.data),
          engines.tts.sampleRate,
        ),
      );
    proc.userData.config = config;
    const fhirKey = loadSmartKey(config);
    if (fhirKey) proc.userData.fhirKey = fhirKey;
    proc.userData.engines = engines;
    proc.userData.kb = kb;
    proc.userData.greeting = { text: greetingText, audio };
    proc.userData.lines = defaultAgentLines(kb.clinic.name);
    proc.userData.instructions = buildInstructions(kb);
    proc.userData.clinicName = kb.clinic.name;
    log().info(
      {
        engines: engines.info,
        greetingMs: Math.round(
          audio.flatMap((s) => s.audio).reduce((n, f) => n + (f.samplesPerChannel / f.sampleRate) * 1000, 0),
        ),
        greetingSentences: audio.length,
      },
      'engines ready',
    );
  }),

  entry: async (ctx: JobContext<ProcData>) => {
    const { config, greeting, lines, clinicName } = ctx.proc.userData;
    // a job dispatched because the call's previous job process died goes on with the same call
    const recovery = parseRecoveryMetadata(ctx.job.metadata);
    const callId = recovery?.callId ?? randomUUID();
    // the job names the room before we are in it: the clinic's configuration is fetched while she connects
    const room = ctx.job.room;
    // every call log goes through this child: its `pii` field is removed unless LOG_PII=1
    const logger = log().child({ callId, room: room?.name }, piiLogOptions(config.LOG_PII));
    if (recovery)
      logger.info(
        { previousJobId: recovery.previousJobId, attempt: recovery.attempt, reason: recovery.reason },
        'call recovery started',
      );
    // every records request is timed for the worker's metrics (the database's latency, seen from the call)
    const client = createRecordsClient(config, undefined, {
      fetch: timedFetch((ms, ok) => reportMetric({ kind: 'records_request', ms, ok })),
    });
    if (!client) logger.info({}, 'VOXANNE_RECORDS_URL not set: no bookings, call not recorded');
    // the phone line's own number, once a SIP caller has joined: the booking tools' identity check may
    // use it (core/identity.ts); it is never logged, recorded unmasked or shown to a model
    let callerNumber: string | undefined;
    const preparing = prepareCall({
      callerPhone: () => callerNumber,
      kb: ctx.proc.userData.kb,
      engines: ctx.proc.userData.engines,
      callId,
      ...(room?.metadata ? { roomMetadata: room.metadata } : {}),
      settings: config,
      ...(client ? { client } : {}),
      ...(ctx.proc.userData.fhirKey ? { fhirKey: ctx.proc.userData.fhirKey } : {}),
      fhirAllowedOrigins: config.FHIR_ALLOWED_ORIGINS,
      logger,
      greeting: greeting.text,
      ...(config.GROQ_API_KEY
        ? {
            llmSummary: createGroqSummarizer({
              apiKey: config.GROQ_API_KEY,
              baseURL: config.GROQ_BASE_URL,
              model: config.GROQ_MODEL,
            }),
          }
        : {}),
    });
    // She is dispatched when the caller's room is created, so she usually arrives first: her voice is
    // published before the caller's browser has finished connecting.
    let gate!: GreetingGate;
    const greetNow = new Promise<GreetingStart>((resolve) => (gate = new GreetingGate(systemClock, resolve)));
    const onSubscribed = () => gate.on('subscribed');
    ctx.room.on(RoomEvent.LocalTrackSubscribed, onSubscribed);
    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
    const voice = new AudioOut(ctx.proc.userData.engines.tts.sampleRate);
    try {
      await voice.publish(ctx.room.localParticipant!);
    } catch (err) {
      // the room closed under her while she joined (a phone caller who hung up at once): no call, no error
      if (ctx.room.isConnected && !/engine is closed/.test((err as Error).message)) throw err;
      logger.info({ reason: (err as Error).message }, 'room closed before she could speak in it');
      gate.cancel();
      ctx.shutdown('room closed');
      return;
    }
    // a standby room (web/server/standby-pool.ts) is held open for a caller not yet known: she waits as
    // long as LiveKit keeps it; no call exists (records, metrics, lines announced) until the caller joins
    const standby = parseCallRoomMetadata(room?.metadata ?? ctx.room.metadata).standby === true;
    if (standby) logger.info({}, 'standby: waiting for a caller');
    // Ctrl-C / worker shutdown before anyone has joined: nothing to finish, the job ends now
    const noCallerYet = new AbortController();
    const stopWaiting = onAgentStopping(() => noCallerYet.abort());
    // a standby handed to a caller (the web server marks it claimed) waits for them as a new call's room does
    let claimedWait: ReturnType<typeof setTimeout> | undefined;
    const onClaimed = (metadata: string) => {
      if (claimedWait || !parseCallRoomMetadata(metadata).claimed) return;
      claimedWait = setTimeout(() => noCallerYet.abort(), CALLER_WAIT_MS);
    };
    if (standby) ctx.room.on(RoomEvent.RoomMetadataChanged, onClaimed);
    // only the caller this room was opened for (a web room names them), or a phone line: anyone else is ignored
    const caller = await waitForTrustedCaller(
      ctx.room,
      callerExpectation(room?.metadata ?? ctx.room.metadata),
      standby ? STANDBY_CALLER_WAIT_MS : CALLER_WAIT_MS,
      (p) => logger.warn({ kind: p.kind }, 'participant ignored: not the caller this call is for'),
      noCallerYet.signal,
    );
    stopWaiting();
    clearTimeout(claimedWait);
    ctx.room.off(RoomEvent.RoomMetadataChanged, onClaimed);
    if (!caller) {
      const why = claimedWait
        ? 'no caller'
        : noCallerYet.signal.aborted
          ? 'agent stopping'
          : standby
            ? 'standby ended'
            : 'no caller';
      logger.info({ why }, 'no caller joined');
      gate.cancel();
      // a standby's room outlives a normal one (STANDBY_EMPTY_TIMEOUT_SECONDS): closed with its job (not
      // while everything stops: LiveKit may be gone, and the web server closes its standbys itself)
      if (standby && why !== 'agent stopping') await ctx.deleteRoom().catch(() => undefined);
      ctx.shutdown(why);
      return;
    }
    const joinedAt = systemClock.now();
    gate.on('caller-joined');
    logger.info({}, 'call started');
    logger.debug({ pii: { caller: caller.identity } }, 'call started by');
    const phone = phoneCaller(caller);
    callerNumber = phone?.number ? phoneFromSpeech(phone.number) : undefined;
    // a Twilio Media Streams caller: a phone line too, bridged in by the web server
    const bridged = phone ? undefined : bridgedCaller(caller);
    const channel = bridged ? bridged.channel : phone ? ('sip' as const) : ('web' as const);
    reportMetric({ kind: 'call_started', channel });
    let recordsQueue: ReturnType<typeof setInterval> | undefined;
    // every way out of the call from here on: counted once, by outcome
    const finish = (reason: string) => {
      clearInterval(recordsQueue);
      reportMetric({ kind: 'call_ended', channel, outcome: callOutcome(reason) });
      ctx.shutdown(reason);
    };
    let phoneCall: PhoneCall | undefined;
    let relay: RelayVoice | undefined;
    // she placed this call (a reminder, a callback): she waits for the patient to pick up, then says why she calls
    const outbound = phone ? outboundPurpose(ctx.room.metadata) : undefined;
    if (outbound) {
      logger.info({ purpose: outbound.purpose }, 'outbound call ringing');
      if (!(await untilAnswered(ctx.room, caller))) {
        logger.info({}, 'outbound call not answered');
        finish('not answered');
        return;
      }
    }
    const prepared = await preparing;
    let engines = prepared.engines;
    const recorder = prepared.recorder;
    if (recorder?.pending !== undefined)
      recordsQueue = setInterval(() => reportMetric({ kind: 'records_queue', depth: recorder.pending ?? 0 }), 1000);
    if (phone || bridged) {
      if (phone) {
        logger.info(
          {
            caller: maskPhoneNumber(phone.number),
            dialled: phone.dialled,
            sipCallId: phone.sipCallId,
          },
          'phone call',
        );
        logger.debug({ pii: { phoneNumber: phone.number } }, 'phone caller');
      } else logger.info({ caller: bridged!.callerMasked, channel: bridged!.channel }, 'phone call');
      if (bridged?.channel === TWILIO_RELAY_CHANNEL) {
        // Twilio hears and speaks (phone/relay.ts); the greeting is Twilio's welcomeGreeting unless she
        // comes back after a crash, when her line is hers to send
        relay = new RelayVoice(ctx.room, caller, logger, {
          greetingIsTwilios: !recovery,
          sampleRate: engines.tts.sampleRate,
          msPerWord: config.TWILIO_RELAY_MS_PER_WORD,
        });
        engines = relayEngines(engines, relay);
      } else {
        // telephone audio needs the recogniser's phone-band setting (core/audio/phone-band.ts)
        engines = {
          ...engines,
          stt: phoneStt(engines.stt),
          fallback: engines.fallback && { ...engines.fallback, stt: phoneStt(engines.fallback.stt) },
        };
      }
      phoneCall = new PhoneCall({
        room: ctx.room,
        caller,
        logger,
        say: (text) => session.say(text),
        transferTo: config.TRANSFER_TO,
        livekit: { url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET },
        clinicName,
        ...(bridged ? { transfer: bridgeTransfer(ctx.room) } : {}),
        // a number or birth date typed on the keypad, ended with # (core/phone/keypad.ts)
        collecting: (): boolean => {
          const d: DictationKind | undefined = session.dictating;
          return d === 'phone' || d === 'date-of-birth';
        },
        typed: (text: string): void => session.typed(text),
      });
    }
    const emergency = emergencyRule(prepared.kb);
    const restore = recovery ? await restoreCall({ client, callId, kb: prepared.kb, logger }) : undefined;
    if (recovery) {
      prepared.recorder?.state(callId, {
        state: 'AGENT_BACK',
        at: new Date().toISOString(),
        reason: `recovered after ${recovery.reason}`,
      });
    }
    announceCall(callId);
    // her voice plays out at Twilio, a little after it leaves her: the bridge reports what was not heard
    const farEnd = bridged?.channel === TWILIO_MEDIA_CHANNEL ? new FarEndPlayout(systemClock) : undefined;
    const stopPlayoutReports = farEnd ? listenForPlayout(ctx.room, caller, farEnd, logger) : undefined;
    const session = new CallSession({
      callId,
      room: ctx.room,
      caller,
      engines,
      voice,
      // a tenant greeting other than the one made at start is synthesised now
      greeting: outbound
        ? { text: outboundGreeting(clinicName, outbound) }
        : prepared.greeting
          ? { text: humanize(prepared.greeting, { kind: 'line' }) }
          : relay
            ? { text: greeting.text }
            : greeting,
      lines,
      instructions: prepared.instructions,
      clock: systemClock,
      logger,
      // she hangs up by closing the room: the caller's page or phone leg sees the call end
      hangUp: () => ctx.deleteRoom(),
      ...(prepared.tools ? { tools: prepared.tools } : {}),
      ...(prepared.recorder
        ? {
            records: {
              recorder: prepared.recorder,
              tenant: prepared.tenant,
              channel,
              ...(phone ? { callerPhoneMasked: maskPhoneNumber(phone.number) } : {}),
              ...(bridged ? { callerPhoneMasked: bridged.callerMasked } : {}),
            },
          }
        : {}),
      summarize: prepared.summarize,
      guard: prepared.guard,
      ...(prepared.silenceTimeoutMs ? { policy: { silencePromptMs: prepared.silenceTimeoutMs } } : {}),
      onState: (to, from) => {
        if (from === 'SPEAKING') relay?.unmute();
        phoneCall?.onAgentState(to, from);
      },
      ...(relay ? { listen: relayListener(ctx.room, caller, logger) } : {}),
      ...(farEnd ? { farEnd } : {}),
      onMetrics: (metrics) => reportMetric({ kind: 'turn', metrics, stt: engines.info.stt }),
      onCallMetric: reportMetric,
      ...(restore ? { restore } : {}),
      // on the phone, "can I speak to someone?" goes to a person (or she says no one is free), not to the brain
      ...(phoneCall ? { handOff: (text: string) => asksForPerson(text) && (void phoneCall!.toPerson(), true) } : {}),
      // emergency words get the fixed line before any model; on the phone the person on call follows
      emergency,
      ...(phoneCall ? { onEmergency: () => void phoneCall!.emergency(emergency.onCall, emergency.line) } : {}),
    });
    ctx.addShutdownCallback(async () => session.end('job shutdown'));
    // set when the call is over before her greeting starts: the session is not listening for the end yet
    let overBeforeGreeting: string | undefined;
    // an inbound phone call must be answered soon (the caller ACKs LiveKit SIP's 200 OK); an INVITE
    // answered but never ACKed would otherwise hold this job until LiveKit SIP gives up, 20-30 s on
    if (phone && !outbound)
      void answeredWithin(ctx.room, caller, INBOUND_ANSWER_WAIT_MS).then((answered) => {
        if (answered) return;
        logger.warn({ waitedMs: INBOUND_ANSWER_WAIT_MS }, 'phone call never answered: no ACK from the caller');
        overBeforeGreeting = 'never answered';
        session.end('never answered');
        void ctx.deleteRoom().catch(() => undefined);
      });
    // Ctrl-C / worker shutdown: the call ends now and writes its records while the web server is still up
    const stopListening = onAgentStopping(() => session.end('agent stopping'));
    const why = await greetNow;
    ctx.room.off(RoomEvent.LocalTrackSubscribed, onSubscribed);
    const afterJoinMs = systemClock.now() - joinedAt;
    logger.info({ why, afterJoinMs: Math.round(afterJoinMs) }, 'greeting starts');
    // the caller gone, or a phone leg given up on, while the greeting waited: the job ends here (a
    // session started now would wait for an end that has already happened; the fuzz found jobs held so)
    if (overBeforeGreeting || !ctx.room.remoteParticipants.has(caller.identity)) {
      const reason = overBeforeGreeting ?? 'caller left before the greeting';
      logger.info({ reason }, 'call ended before the greeting');
      stopListening();
      announceCallEnded();
      finish(reason);
      return;
    }
    reportMetric({ kind: 'greeting', ms: afterJoinMs });
    await session.start();
    phoneCall?.start();
    const reason = await session.ended;
    stopListening();
    stopPlayoutReports?.();
    announceCallEnded();
    phoneCall?.close();
    finish(reason);
  },
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // what every job process will need, checked once here: a broken setting or a missing library is one
  // message and an exit, not a job process failing every second (worker/start-failure.ts)
  const config = await checkBeforeRegistering(async () => {
    const c = parseAgentConfig(process.env);
    await loadKnowledgeBase(c.KNOWLEDGE_BASE_PATH);
    checkPocketsphinxInstall({ pocketsphinxLib: c.POCKETSPHINX_LIB, sphinxbaseLib: c.SPHINXBASE_LIB });
    await loadVad();
    return c;
  });
  const records = createRecordsClient(config);
  stopWhenAJobCannotStart();
  // a call whose job process dies gets a fresh one (worker/call-recovery.ts); not while the worker stops
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
  // the calls' measurements arrive from their job processes; /metrics, /healthz, /readyz answer here
  const metrics = new WorkerMetrics({
    maxCalls: config.MAX_CONCURRENT_CALLS,
    watchdog: callCounters.watchdogRecoveries,
  });
  await onJobProcessStart((child) => metrics.watch(child));
  const recovery = new CallRecovery({
    livekit: { url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET },
    agentName: config.AGENT_NAME,
    ...(records ? { records } : {}),
    log: { info: (o, m) => log().info(o, m), warn: (o, m) => log().warn(o, m), error: (o, m) => log().error(o, m) },
    stopping: () => stopping,
  });
  // each job request is answered against the calls already taken, when it arrives (worker/admission.ts)
  const admission = new WorkerAdmission({
    maxCalls: config.MAX_CONCURRENT_CALLS,
    livekit: { url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET },
    log: { info: (o, m) => log().info(o, m), warn: (o, m) => log().warn(o, m) },
    // a phone caller nobody can take hears a short message, played by the worker itself (worker/busy-line.ts)
    busyLine: await busyLinePlayer({
      livekit: { url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET },
      log: { info: (o, m) => log().info(o, m), warn: (o, m) => log().warn(o, m) },
    }),
  });
  // before the worker starts its first job process
  await admission.install();
  await onJobProcessExit(
    (exit) => void recovery.onExit(exit).catch((err: unknown) => log().error({ err }, 'call recovery failed')),
  );
  // several workers on one cluster: each keeps a lease in the cluster's Redis, and the calls of a worker
  // that dies whole (its machine, a kill -9) are taken over by another (worker/worker-lease.ts)
  const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const lease = config.REDIS_URL
    ? new WorkerLease({
        redisUrl: config.REDIS_URL,
        agentName: config.AGENT_NAME,
        workerId,
        held: heldCalls,
        recover: (exit) => recovery.onExit(exit),
        stopping: () => stopping,
        log: { info: (o, m) => log().info(o, m), warn: (o, m) => log().warn(o, m) },
      })
    : undefined;
  let reportedLoad: number | undefined;
  // the library's own turn detector is not used: no inference process for it (worker/no-inference-process.ts)
  withoutInferenceProcess();
  cli.runApp(
    new WorkerOptions({
      ...workerConnection(config, fileURLToPath(import.meta.url)),
      // one warm process (the default) is enough for a clinic's calls one at a time; each more holds a
      // recogniser and a synthesiser, but callers arriving together no longer wait for a process to start
      numIdleProcesses: config.AGENT_IDLE_PROCESSES,
      // prewarm (language model, voice, greeting) takes 3 s on an idle machine but over 10 s, the library's
      // default, on a loaded 2-core one; timed out, it is killed and started again, which only adds load
      initializeProcessTimeout: 60_000,
      // Capacity is counted in calls, not CPU: the default CPU-based load marks a 2-core machine "full"
      // while it is merely busy starting up, and LiveKit then finds no worker for the caller's room.
      // A job above MAX_CONCURRENT_CALLS is refused when its request arrives, not at the next load report.
      requestFunc: admission.requestFunc,
      // each change is logged: which worker of a cluster is busy, and when LiveKit heard of it
      loadFunc: async () => {
        const load = await admission.loadFunc();
        if (load !== reportedLoad) log().info({ load }, 'worker load changed');
        reportedLoad = load;
        return load;
      },
    }),
  );
  // after runApp, whose start command sets up the logger
  const ops = await startHealthServer({
    port: config.AGENT_METRICS_PORT,
    host: config.AGENT_METRICS_HOST,
    livekitUrl: config.LIVEKIT_URL,
    recordsUrl: config.VOXANNE_RECORDS_URL,
    metrics: () => metrics.expose(),
    warmProcesses: () => metrics.warmProcesses,
    draining: () => stopping,
  }).catch((err: NodeJS.ErrnoException) => {
    console.error(
      err.code === 'EADDRINUSE'
        ? `AGENT_METRICS_PORT ${config.AGENT_METRICS_PORT} is already in use: ` +
            'stop the other process or set AGENT_METRICS_PORT'
        : `the metrics server failed to start: ${err.message}`,
    );
    process.exit(1);
  });
  ops.server.unref(); // /readyz says "draining" while the worker stops; it never holds the process up
  if (lease) {
    await lease.start().catch((err: Error) => {
      // the URL is not repeated: it may hold Redis's password
      console.error(`Redis at REDIS_URL cannot be reached (${err.message}): start it or fix REDIS_URL`);
      process.exit(1);
    });
    log().info({ workerId }, 'worker lease taken');
  }
  log().info({ port: ops.port, host: config.AGENT_METRICS_HOST }, 'metrics server listening');
}
