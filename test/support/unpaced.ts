import { quotaSchedule, type QuotaPacer } from '../../lib/pacer/index.ts';

/** No shared pacing (tests of other concerns): every slot is now, and a 429 is simply waited out. */
export const UNPACED: QuotaPacer = {
  schedule: quotaSchedule({}),
  reserve: async () => ({ reserved: true, slotAt: 0, generation: 0, waitMs: 0, mustConfirm: false }),
  confirm: async (reservation) => ({ reserved: true, slotAt: reservation.slotAt, generation: reservation.generation, waitMs: 0, mustConfirm: false }),
  reportRateLimited: async () => undefined,
};
