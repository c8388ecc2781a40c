/** A FHIR server's refusal or absence, as the scheduling adapter reports it. */
import { RecordsError } from '../types.ts';

export class FhirError extends RecordsError {
  override name = 'FhirError';
  constructor(
    message: string,
    /** HTTP status; undefined when the server could not be reached or did not answer in time */
    status: number | undefined,
  ) {
    // unreachable, 5xx and 429 may pass; anything else is the request's fault
    super(message, status, status === undefined || status >= 500 || status === 429);
  }
}
