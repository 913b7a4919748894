/** A party's public display profile, carried on chain in its profile URI. */
export type PartyProfile = {
  /** Display name as the registrar verified it, e.g. "星河游戏 Galaxy Games". */
  name: string;
  /** Where the full public profile (licences, contacts) is published, if anywhere. */
  uri?: string | undefined;
};

/** Longest display name kept (characters). */
export const PROFILE_NAME_MAX = 80;

/**
 * Encodes a display profile as the `data:` URI a registrar records as a party's profile URI, so
 * the name is on chain, attributable to the registrar, and readable by any verifier without a
 * server: `data:application/json,{"name":"…","uri":"…"}` (percent-encoded).
 *
 * @param profile - name (1 to 80 characters after trimming) and optional URI.
 * @returns the data URI.
 * @throws {Error} when the name is empty or too long.
 * @example
 * encodeProfileUri({ name: "星河游戏 Galaxy Games", uri: "https://registry.example.cn/p/1" })
 */
export function encodeProfileUri(profile: PartyProfile): string {
  const name = profile.name.trim();
  if (name.length === 0 || name.length > PROFILE_NAME_MAX)
    throw new Error(`Party name ${JSON.stringify(profile.name)}: expected 1 to ${PROFILE_NAME_MAX} characters.`);
  const body: PartyProfile = profile.uri ? { name, uri: profile.uri } : { name };
  return `data:application/json,${encodeURIComponent(JSON.stringify(body))}`;
}
