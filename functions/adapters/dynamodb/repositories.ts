import type {
  GoogleObjectRepository,
  MailOutbox,
  MemberRepository,
  OfferRepository,
  PartnerRepository,
  ProgramRepository,
  RateCounter,
  RegistrationRepository,
  StoreRepository,
} from "../../domain/ports.js";
import type { DynamoTable } from "./client.js";
import { dynamoGoogleObjectRepository } from "./google-object-repository.js";
import { dynamoMailOutbox } from "./mail-outbox.js";
import { dynamoMemberRepository } from "./member-repository.js";
import { dynamoOfferRepository } from "./offer-repository.js";
import { dynamoPartnerRepository } from "./partner-repository.js";
import { dynamoProgramRepository } from "./program-repository.js";
import { dynamoRateCounter } from "./rate-counter.js";
import { dynamoRegistrationRepository } from "./registration-repository.js";
import { dynamoStoreRepository } from "./store-repository.js";

export interface DynamoRepositories {
  programs: ProgramRepository;
  stores: StoreRepository;
  members: MemberRepository;
  partners: PartnerRepository;
  registrations: RegistrationRepository;
  rates: RateCounter;
  googleObjects: GoogleObjectRepository;
  /** The members' outbox emails (the mail function, the sweep's retries). */
  mail: MailOutbox;
  /** The programs' offers and their deliveries (app/offers.ts, the offer worker, the sweep). */
  offers: OfferRepository;
}

/** Every repository over one table: they share its client and its read caches. */
export const dynamoRepositories = (table: DynamoTable): DynamoRepositories => ({
  programs: dynamoProgramRepository(table),
  stores: dynamoStoreRepository(table),
  members: dynamoMemberRepository(table),
  partners: dynamoPartnerRepository(table),
  registrations: dynamoRegistrationRepository(table),
  rates: dynamoRateCounter(table),
  googleObjects: dynamoGoogleObjectRepository(table),
  mail: dynamoMailOutbox(table),
  offers: dynamoOfferRepository(table),
});
