import { hash } from 'node:crypto';
import type { EventRecord } from '../../platform/events/index.js';

/**
 * What goes into the log: one entry per record-worthy event, holding no personal data — the
 * event's type, time, object and id, and the SHA-256 of the canonical event. Anyone holding the
 * event (the department, a court, the person concerned) can recompute the hash and find its leaf.
 */

/**
 * Event types that are recorded, by prefix (modules that do not exist yet are fine). Of identity,
 * only what an administrator does to an account (disable, enable, revoke a grant): the public
 * can then check that such an act was recorded, by its hash, without learning who or why.
 */
export const RECORDED_PREFIXES = [
  'cases.',
  'licences.',
  'exchange.',
  'catalog.publish',
  'ratings.',
  'disclosure.request.',
  'disclosure.report.',
  'disclosure.publication.',
  'disclosure.published',
  'disclosure.withdrawn',
  'identity.accountDisabled',
  'identity.accountEnabled',
  'identity.grantRevoked',
  // 委托: a person's consent to an agent (帮办代办) and its end, so what an agent does under it
  // can be checked against a recorded consent
  'identity.delegationGranted',
  'identity.delegationRevoked',
] as const;

export const isRecorded = (type: string): boolean => RECORDED_PREFIXES.some((p) => type.startsWith(p));

/** Canonical JSON: object keys sorted by code unit, no whitespace (numbers and strings as JSON.stringify). */
// Not platform/crypto's canonicalJson: that one throws on non-integers, lone surrogates and undefined members, and a throw here would stall the ledger consumer on that event for good.
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    const s = JSON.stringify(v);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The canonical form of an event that its leaf commits to (stream positions are node-local, so left out). */
export function canonicalEvent(e: EventRecord): string {
  return canonicalJson({
    id: e.id,
    type: e.type,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    regionCode: e.regionCode,
    actor: e.actor,
    payload: e.payload,
    createdAt: e.createdAt,
  });
}

export interface LeafEntry {
  v: 1;
  type: string;
  time: string;
  /** aggregateType/aggregateId */
  object: string;
  event: string;
  /** hex SHA-256 of the canonical event */
  sha256: string;
}

export function entryFor(e: EventRecord): LeafEntry {
  return {
    v: 1,
    type: e.type,
    time: e.createdAt,
    object: `${e.aggregateType}/${e.aggregateId}`,
    event: e.id,
    sha256: hash('sha256', canonicalEvent(e), 'hex'),
  };
}

/** The entry's bytes: canonical JSON in UTF-8, at most 65,535 bytes (the bundle's length prefix). */
export function entryBytes(entry: LeafEntry): Buffer {
  const b = Buffer.from(canonicalJson(entry), 'utf8');
  if (b.length > 0xffff) throw new Error('log entry longer than 65535 bytes');
  return b;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes (tlog-tiles). */
export function encodeBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.length > 0xffff) throw new Error('entry too long for a bundle');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, Buffer.from(e));
  }
  return Buffer.concat(parts);
}

export function decodeBundle(b: Uint8Array): Buffer[] | undefined {
  const out: Buffer[] = [];
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let i = 0;
  while (i < buf.length) {
    if (i + 2 > buf.length) return undefined;
    const n = buf.readUInt16BE(i);
    if (i + 2 + n > buf.length) return undefined;
    out.push(Buffer.from(buf.subarray(i + 2, i + 2 + n)));
    i += 2 + n;
  }
  return out;
}
