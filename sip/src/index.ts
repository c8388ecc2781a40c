// Telephony: provisioning LiveKit SIP (and Twilio's Elastic SIP Trunk), and outbound calls.
export { ConfigError, parseProvisionConfig, type ProvisionConfig } from './config.ts';
export { NAMES, ROOM_PREFIX } from './livekit-side.ts';
export { placeCall, PURPOSES, type CallPurpose, type OutboundCall } from './outbound.ts';
export { changesNothing, formatPlan, type Action } from './plan.ts';
export { provision, type ProvisionResult } from './provision.ts';
