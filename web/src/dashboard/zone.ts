// The clinic's time zone, so every time on the dashboard reads as the clinic's clock (the weekly
// chart's days are the clinic's days). Set once per page load; undefined = the browser's own zone.
let clinicZone: string | undefined;

export function setZone(z: string | undefined): void {
  // an unknown zone name would make every Intl call throw; keep the browser's then
  if (!z) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: z });
    clinicZone = z;
  } catch {
    clinicZone = undefined;
  }
}

export const zone = (): string | undefined => clinicZone;
