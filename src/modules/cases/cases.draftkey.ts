/**
 * The key of a draft (cases.store keys the tables by its parts): an item's implementation code,
 * `bundle:<code>`, or an item on a person's behalf (帮办代办).
 */
/** The draft key of an item applied for on someone's behalf (帮办代办): `for:<account>:<code>`. */
export const FOR_KEY = 'for:';

/** The draft key of an item (or `bundle:<code>`) for the caller, or on behalf of a person. */
export const draftKeyOf = (code: string, onBehalfOf?: string | null): string =>
  onBehalfOf ? `${FOR_KEY}${onBehalfOf}:${code}` : code;

/**
 * A draft key's parts as the draft tables key them (account, on-behalf-of, item): the person it is
 * for ('' for the caller's own) and the item or `bundle:<code>`.
 */
export function splitDraftKey(key: string): { onBehalfOf: string; code: string } {
  if (!key.startsWith(FOR_KEY)) return { onBehalfOf: '', code: key };
  const rest = key.slice(FOR_KEY.length);
  const i = rest.indexOf(':');
  return i <= 0 ? { onBehalfOf: '', code: key } : { onBehalfOf: rest.slice(0, i), code: rest.slice(i + 1) };
}
