import type { AuditRule } from "../../../types.js";
import { createFunderView, fundingEvidence } from "../../internal/funders.js";
import { evidenceOf, lc } from "../../internal/helpers.js";

/**
 * shared-funder (Audit v2, with gas funding data): one account paid the gas of more than
 * `funderMaxParties` registered parties. Such a funder links none of them in linked-circular-flow
 * (an exchange's hot wallet would link everyone); it is reported once instead, so a regulator
 * either adds it to the ignored funders (`--ignore-funder`) or looks at its parties as one actor.
 */
export const sharedFunder: AuditRule = {
  id: "shared-funder",
  title: "One gas funder behind many parties",
  severity: "low",
  description:
    "An account not on the ignored funders list paid the first gas of more than funderMaxParties (default 5) registered parties: reported once, and no longer used to link them.",
  enforcedByContract: "no",
  create(options) {
    const funders = createFunderView(options);
    return {
      check({ event }) {
        if (!funders) return [];
        return funders.observe(event).map((funder) => {
          const funded = funders.funded(funder);
          return {
            message: `${funder} paid the first gas of ${funded.length} registered parties (more than ${options.funderMaxParties}): not used to link them; ignore it (--ignore-funder) if it is an exchange or gas station, else look at them as one actor.`,
            batchId: null,
            supplier: null,
            parties: [funder, ...funded.map((f) => lc(f.account))],
            ranges: [],
            evidence: [...funded.slice(0, 20).map(fundingEvidence), evidenceOf(event)],
            details: { funder, parties: funded.length, maxParties: options.funderMaxParties },
          };
        });
      },
    };
  },
};
