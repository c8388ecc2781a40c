import { signRecordsRequest } from '@voxanne/contracts/signature';
import { RecordsClient } from '../../agent/src/records/http-client.ts';
import { SECRET } from '../../web/server/records/testing.ts';

/** The agent's own records client, signed with the test secret, for a records server at baseUrl (no backoff waits). */
export function agentRecordsClient(baseUrl: string): RecordsClient {
  return new RecordsClient({ baseUrl, secret: SECRET, sign: signRecordsRequest, sleep: async () => {} });
}
