/**
 * The semantic checks, in the order they run. Each is independent of the others (they only
 * read the IR), so all of them run and every problem is reported at once.
 */
import { checkCredentialGrants } from "./check-credential-grants.ts";
import { checkDuplicateHosts } from "./check-duplicate-hosts.ts";
import { checkDuplicateNames } from "./check-duplicate-names.ts";
import { checkDuplicateTunnels } from "./check-duplicate-tunnels.ts";
import { checkFilterTunnels } from "./check-filter-tunnels.ts";
import { checkGrantParents } from "./check-grant-parents.ts";
import { checkPlan } from "./check-plan.ts";
import { checkPrivateExposure } from "./check-private-exposure.ts";
import { checkProtocolOptions } from "./check-protocol-options.ts";
import { checkRequiredOnDtls } from "./check-required-on-dtls.ts";
import { checkTestReferences } from "./check-test-references.ts";
import { checkTestUrls } from "./check-test-urls.ts";
import { checkUpstreamUrls } from "./check-upstream-urls.ts";
import type { Pass } from "./pass.ts";

export const semanticPasses: readonly Pass[] = [
  checkDuplicateTunnels,
  checkDuplicateHosts,
  checkDuplicateNames,
  checkGrantParents,
  checkCredentialGrants,
  checkFilterTunnels,
  checkPlan,
  checkRequiredOnDtls,
  checkProtocolOptions,
  checkPrivateExposure,
  checkTestReferences,
  checkTestUrls,
  checkUpstreamUrls,
];
