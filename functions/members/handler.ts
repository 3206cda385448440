import { apiFunction } from "../api/functions.js";
import { memberView } from "../api/member-view.js";
import { claimFor } from "../app/writes.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { httpSettings, processParts } from "../composition/process.js";

/** The merchant API's members: enrollment, reads, history, transfers, renewals and card reissues. */
const parts = processParts();
const loyalty = loyaltyOver(parts);

export const handler = apiFunction(
  "members",
  {
    enrollMember: async ({ params, body }) => memberView(await loyalty.enroll(params.programId, body)),
    findMember: async ({ params, query }) => memberView(await loyalty.find(params.programId, query)),
    getMember: async ({ params }) => memberView(await loyalty.get(params.programId, params.memberId)),
    memberHistory: ({ params, query }) => loyalty.history(params.programId, params.memberId, query),
    transferPoints: (r) =>
      loyalty.transfer(
        r.params.programId,
        r.params.memberId,
        r.body,
        claimFor({ kind: "merchant", programId: r.params.programId }, r),
      ),
    renewCard: async (r) =>
      memberView(
        await loyalty.renew(
          r.params.programId,
          r.params.memberId,
          claimFor({ kind: "merchant", programId: r.params.programId }, r),
        ),
      ),
    reissueCard: async ({ params }) =>
      memberView(await loyalty.reissueCard(params.programId, params.memberId)),
  },
  httpSettings(parts),
);
