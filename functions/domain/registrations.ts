/**
 * Per-pass limits of Apple Wallet device registrations (issue 13; data-model.md 2.4.1). One pass token
 * could otherwise register any number of devices, and every change of the card would push to all of
 * them. Both limits are enforced by the registration repositories (ports.ts), in the transaction
 * that registers a device.
 */

/**
 * At most this many devices per pass (a person's iPhone, Watch and iPad, with room for replaced
 * phones). A new device beyond it evicts the pass's oldest registrations (by registration time); the
 * push fan-out never pushes to more than this many devices of one pass (the most recently registered).
 */
export const MAX_DEVICES_PER_PASS = 10;

/**
 * At most this many new devices per pass per clock hour (UTC); beyond, the PassKit web service answers
 * 429 with Retry-After (the end of the hour). A device refreshing its push token is not counted.
 */
export const MAX_NEW_REGISTRATIONS_PER_HOUR = 20;

/**
 * At most this many registrations evicted by one new registration (two Deletes each, in its one
 * transaction: 24 items at most, of the 100 a transaction takes). Concurrent registrations may take a pass a little over the cap; the next
 * registration brings it back. A pass registered far beyond the cap before the cap existed shrinks by
 * this many per new registration (its pushes are bounded by the fan-out meanwhile).
 */
export const MAX_EVICTIONS_PER_REGISTRATION = 10;

export interface RegistrationLimits {
  /** Devices per pass (MAX_DEVICES_PER_PASS). */
  maxDevices: number;
  /** New registrations per pass per clock hour (MAX_NEW_REGISTRATIONS_PER_HOUR). */
  maxNewPerHour: number;
}

export const REGISTRATION_LIMITS: RegistrationLimits = {
  maxDevices: MAX_DEVICES_PER_PASS,
  maxNewPerHour: MAX_NEW_REGISTRATIONS_PER_HOUR,
};

const HOUR_MS = 3_600_000;

/** The clock hour (UTC) a registration at `now` counts in: its name, its end, and the wait until then. */
export const registrationWindow = (now: Date): { hour: string; endsAt: Date; retryAfterSeconds: number } => {
  const start = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const endsAt = new Date(start + HOUR_MS);
  return {
    /** `YYYY-MM-DDTHH`, UTC. */
    hour: new Date(start).toISOString().slice(0, 13),
    endsAt,
    retryAfterSeconds: Math.max(1, Math.ceil((endsAt.getTime() - now.getTime()) / 1000)),
  };
};

/** Oldest registration first: by registration time, then by device (a stable order for equal times). */
export const byRegistrationTime = (
  a: { registeredAt: string; deviceLibraryIdentifier: string },
  b: { registeredAt: string; deviceLibraryIdentifier: string },
): number =>
  a.registeredAt < b.registeredAt
    ? -1
    : a.registeredAt > b.registeredAt
      ? 1
      : a.deviceLibraryIdentifier < b.deviceLibraryIdentifier
        ? -1
        : a.deviceLibraryIdentifier > b.deviceLibraryIdentifier
          ? 1
          : 0;
