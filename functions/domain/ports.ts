import type { Program } from "./program.js";
import type { Store } from "./store.js";

/** One page of a listing; `nextCursor` is opaque and absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Where programs live. Implemented for DynamoDB in functions/adapters/dynamodb. */
export interface ProgramRepository {
  /** Stores a new program with the hash of its merchant key. */
  create(program: Program, merchantKeyHash: string): Promise<void>;
  get(programId: string): Promise<Program | undefined>;
  /** The hash of the program's merchant key, for authentication. */
  merchantKeyHash(programId: string): Promise<string | undefined>;
  list(page: PageRequest): Promise<Page<Program>>;
  /** Replaces the program if its stored version is still `expectedVersion`; false when it is not. */
  replace(program: Program, expectedVersion: number): Promise<boolean>;
}

export interface StoreKeyRecord {
  storeId: string;
  programId: string;
  apiKeyHash: string;
}

export interface StoreRepository {
  /** Stores a new store of an existing program; false when the program does not exist. */
  create(store: Store, apiKeyHash: string): Promise<boolean>;
  get(programId: string, storeId: string): Promise<Store | undefined>;
  list(programId: string, page: PageRequest): Promise<Page<Store>>;
  /** What the store API needs to authenticate a store key: one strongly consistent read. */
  keyRecord(storeId: string): Promise<StoreKeyRecord | undefined>;
}
