import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../../kernel/index.js';
import { maskName } from '../../platform/privacy/index.js';
import type { HallsContext } from './halls.context.js';
import { requireHall, takeTicket } from './halls.queue.js';
import * as st from './halls.store.js';
import type { Line } from './halls.types.js';

/**
 * The 24-hour kiosk (政务一体机): a person signs in by ID card and face match through the device
 * port, takes a ticket, prints a receipt through the print port, and is signed out after a short
 * idle time (the session lives in the store, so any node behind the load balancer serves it).
 *
 * The device port (docs/operations.md, *Kiosk devices*): on a real kiosk, the 二代证 reader and
 * the camera are driven by the vendor's local service on the kiosk machine (HTTP or WebSocket on
 * 127.0.0.1); a small device agent on that machine reads the card chip (name, number, photo),
 * runs the face comparison against the chip photo, and posts the result signed with the kiosk's
 * device key to the platform. The platform side of that is this interface; the simulator below
 * answers for the demo and tests with the demo citizen's card.
 */
export interface CardReading {
  readonly name: string;
  readonly idNumber: string;
  /** the face comparison's score against the chip photo, 0–1 */
  readonly faceScore: number;
}

export interface KioskDevicePort {
  /** reads the card on this kiosk's reader and matches the face in front of the camera */
  readCardAndFace(kioskHall: string): Promise<CardReading>;
}

/** The demo/test simulator: the demo citizen's card, a face that matches. */
export function simulatedDevices(
  card: { name: string; idNumber: string },
  faceScore = 0.93,
): KioskDevicePort {
  return { readCardAndFace: async () => ({ ...card, faceScore }) };
}

/** A receipt (or result) sent to the kiosk's printer. */
export interface PrintPort {
  print(hallId: string, pdf: Uint8Array, what: string): Promise<{ jobId: string }>;
}

/** The simulator: keeps the last jobs in memory (the demo shows them as PDF downloads). */
export function simulatedPrinter(
  keep = 50,
): PrintPort & { jobs: Map<string, { hallId: string; pdf: Uint8Array; what: string }> } {
  const jobs = new Map<string, { hallId: string; pdf: Uint8Array; what: string }>();
  return {
    jobs,
    async print(hallId, pdf, what) {
      const jobId = randomBytes(8).toString('hex');
      jobs.set(jobId, { hallId, pdf, what });
      if (jobs.size > keep) jobs.delete(jobs.keys().next().value as string);
      return { jobId };
    },
  };
}

export const FACE_THRESHOLD = 0.8;
/** signed out after this long without a touch (the page resets itself sooner: kiosk.js) */
export const KIOSK_IDLE_MS = 3 * 60_000;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A case the person signed in at the kiosk may rate there (好差评, channel `kiosk`). */
export interface KioskRatable {
  readonly caseNumber: string;
  readonly itemName: string;
  /** the stages reached and not yet rated at a kiosk */
  readonly stages: ReadonlyArray<'accepted' | 'completed'>;
  /** the indicators that fit how the case was handled (online or at a window) */
  readonly indicators: readonly string[];
}

/**
 * 好差评 at the kiosk: the ratings module rates for the person the card and face identified (their
 * account), through the same checks as every channel — a real case of theirs, a stage it
 * reached, once per case × stage × channel.
 */
export interface KioskRatingPort {
  ratable(accountId: string): Promise<readonly KioskRatable[]>;
  rate(
    accountId: string,
    caseNumber: string,
    input: {
      level: number;
      stage: 'accepted' | 'completed';
      indicators: readonly string[];
      text?: string | undefined;
    },
  ): Promise<void>;
}

export interface KioskDeps {
  readonly devices: KioskDevicePort;
  readonly printer: PrintPort;
  readonly accountIdByIdNumber: (idNumber: string) => Promise<string | undefined>;
  readonly ratings?: KioskRatingPort;
}

/** Card read and face matched: a kiosk session for the person (their account when they have one). */
export async function signInAtKiosk(
  ctx: HallsContext,
  k: KioskDeps,
  hallCode: string,
): Promise<{ token: string; displayName: string }> {
  const { hall } = await requireHall(ctx, hallCode);
  const card = await k.devices.readCardAndFace(hall.id);
  if (card.faceScore < FACE_THRESHOLD) throw new DomainError('HALLS.FACE_MISMATCH');
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const displayName = maskName(card.name);
  await st.insertKioskSession(ctx.db, {
    token_hash: hash(token),
    hall_id: hall.id,
    region_code: hall.regionCode,
    account_id: (await k.accountIdByIdNumber(card.idNumber)) ?? null,
    display_name: displayName,
    expires_at: new Date(now.getTime() + KIOSK_IDLE_MS).toISOString(),
    created_at: now.toISOString(),
  });
  return { token, displayName };
}

export async function kioskSession(
  ctx: HallsContext,
  token: string | undefined,
  hallCode: string,
): Promise<st.KioskSessionRow | undefined> {
  if (!token || token.length > 100) return undefined;
  const now = ctx.clock.now();
  const s = await st.touchKioskSession(
    ctx.db,
    hash(token),
    now.toISOString(),
    new Date(now.getTime() + KIOSK_IDLE_MS).toISOString(),
  );
  return s && s.hall_id === hallCode ? s : undefined;
}

export async function signOutAtKiosk(ctx: HallsContext, token: string | undefined): Promise<void> {
  await st.endKioskSession(ctx.db, token ? hash(token) : '-', ctx.clock.now().toISOString());
}

/** 取号 at the kiosk, for the signed-in person. */
export async function kioskTicket(ctx: HallsContext, s: st.KioskSessionRow, line: Line) {
  return takeTicket(ctx, undefined, s.hall_id, { line }, { kioskAccountId: s.account_id });
}
