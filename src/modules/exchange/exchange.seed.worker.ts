import { parentPort, workerData } from 'node:worker_threads';
import { createPersonalDataCipher } from '../../platform/privacy/index.js';
import {
  generatedCompany,
  generatedIdentity,
  generatedInsurance,
  generatedPerson,
  normaliseKey,
} from './exchange.registers.js';

/**
 * A generator worker of `tongban seed --scale` (exchange.seed.ts): the CPU of the seed — names,
 * ID numbers, keyed hashes, sealing — on another core, in slices the main thread asks for. Rows
 * come back flattened in the register tables' column order; the main thread only writes them.
 */
export interface SeedWorkerData {
  readonly secret: Uint8Array;
  /** the generated people's keyed hashes (32 bytes each, by local index), filled in phase 1 */
  readonly hashes: SharedArrayBuffer;
  /** phase 1's sort keys: 29 bits of the hash above 24 bits of the local index */
  readonly keys: SharedArrayBuffer;
  /** the index of local person 0 and of company 0 (generated rows follow the demo's) */
  readonly firstPerson: number;
  readonly firstCompany: number;
  readonly now: string;
}
export type SeedTask =
  | { readonly type: 'hash'; readonly id: number; readonly from: number; readonly to: number }
  | { readonly type: 'people'; readonly id: number; readonly order: Int32Array }
  | { readonly type: 'companies'; readonly id: number; readonly from: number; readonly to: number };
export interface SeedResult {
  readonly id: number;
  readonly rows: number;
  readonly population?: unknown[];
  readonly insurance?: unknown[];
  readonly legalPersons?: unknown[];
}

const INDEX_BITS = 2 ** 24;

const port = parentPort;
if (port) {
  const d = workerData as SeedWorkerData;
  const cipher = createPersonalDataCipher(Buffer.from(d.secret));
  const hashes = Buffer.from(d.hashes);
  const keys = new Float64Array(d.keys);
  port.on('message', (t: SeedTask) => {
    if (t.type === 'hash') {
      for (let k = t.from; k < t.to; k++) {
        const h = cipher.lookupHash('idNumber', generatedIdentity(d.firstPerson + k).idNumber);
        hashes.write(h, k * 32, 32, 'hex');
        // the top 29 bits of the hash, then the index: a float64 holds both exactly
        keys[k] = Math.floor(hashes.readUInt32BE(k * 32) / 8) * INDEX_BITS + k;
      }
      port.postMessage({ id: t.id, rows: t.to - t.from } satisfies SeedResult);
      return;
    }
    if (t.type === 'people') {
      const n = t.order.length;
      const people = new Array(n);
      const ids = new Array<string>(n);
      const addresses = new Array<string>(n);
      for (let j = 0; j < n; j++) {
        const p = generatedPerson(d.firstPerson + (t.order[j] as number));
        people[j] = p;
        ids[j] = normaliseKey(p.idNumber);
        addresses[j] = p.address;
      }
      const idSealed = cipher.encryptMany(ids);
      const addressSealed = cipher.encryptMany(addresses);
      const population: unknown[] = [];
      const insurance: unknown[] = [];
      for (let j = 0; j < n; j++) {
        const k = t.order[j] as number;
        const p = people[j];
        const hash = hashes.toString('hex', k * 32, k * 32 + 32);
        population.push(
          hash,
          idSealed[j],
          p.name,
          p.gender,
          p.birthDate,
          p.regionCode,
          addressSealed[j],
          p.householdType,
          p.relationToHead,
          p.maritalStatus,
          p.deathDate,
          1,
          d.now,
        );
        const si = generatedInsurance(d.firstPerson + k, p);
        if (si)
          insurance.push(
            hash,
            si.name,
            si.insurance_types,
            si.employer,
            si.status,
            si.first_insured_on,
            si.months_paid,
            si.region_code,
            1,
            d.now,
          );
      }
      port.postMessage({ id: t.id, rows: n, population, insurance } satisfies SeedResult);
      return;
    }
    const n = t.to - t.from;
    const companies = new Array(n);
    const reps = new Array<string>(n);
    for (let j = 0; j < n; j++) {
      const c = generatedCompany(d.firstCompany + t.from + j);
      companies[j] = c;
      reps[j] = normaliseKey(c.legalRepresentative.idNumber);
    }
    const repSealed = cipher.encryptMany(reps);
    const legalPersons: unknown[] = [];
    for (let j = 0; j < n; j++) {
      const c = companies[j];
      legalPersons.push(
        normaliseKey(c.creditCode),
        c.name,
        c.type,
        c.legalRepresentative.name,
        cipher.lookupHash('idNumber', reps[j] as string),
        repSealed[j],
        c.registeredCapitalFen,
        c.address,
        c.status,
        c.establishedOn,
        c.regionCode,
        1,
        d.now,
      );
    }
    port.postMessage({ id: t.id, rows: n, legalPersons } satisfies SeedResult);
  });
}
