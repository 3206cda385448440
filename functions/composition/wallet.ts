import { PassConfigError, passFactory, passTemplatesDir } from "../adapters/apple/pass-factory.js";
import { loyaltyContext } from "../app/loyalty/context.js";
import { myStores } from "../app/my-stores.js";
import { type WalletService, walletService } from "../app/wallet.js";
import { ConfigError } from "../config/env.js";
import { DomainError } from "../domain/errors.js";
import type { PassFactory } from "../domain/ports.js";
import { logger } from "../shared/logger.js";
import type { ProcessParts } from "./process.js";

/**
 * The pass factory of this process: certificates read and checked on first use, once. Missing or
 * wrong certificates are a 503 naming what to fix, never a 500 (a deployment without Apple Wallet
 * serves everything else); the next request tries again.
 */
export const applePasses = (p: ProcessParts): (() => Promise<PassFactory>) => {
  let passes: Promise<PassFactory> | undefined;
  return () => {
    passes ??= (async () => {
      try {
        return passFactory(
          await p.appleCertificates(),
          { passTypeId: p.env.APPLE_PASS_TYPE_ID, teamId: p.env.APPLE_TEAM_ID },
          passTemplatesDir(),
        );
      } catch (error) {
        const problem = error instanceof PassConfigError || error instanceof ConfigError;
        if (!problem) throw error;
        logger.error("Apple Wallet is not configured", { problem: (error as Error).message });
        throw new DomainError(
          "unavailable",
          "apple_wallet_unavailable",
          `Apple Wallet passes are not available on this deployment: ${(error as Error).message}.`,
        );
      }
    })().catch((error: unknown) => {
      passes = undefined;
      throw error;
    });
    return passes;
  };
};

/** Apple Wallet's customer side over this process's table. */
export const walletOver = (p: ProcessParts) =>
  walletService({
    programs: p.repositories.programs,
    stores: p.repositories.stores,
    members: p.repositories.members,
    registrations: p.repositories.registrations,
    passes: applePasses(p),
    secret: p.passSecret,
    passTypeId: p.env.APPLE_PASS_TYPE_ID,
  });

/**
 * "My stores" over this process's table: the card link checked by the wallet's own `cardByLink`, the
 * program's stores as the card's store choice keeps them, and favourites written like every other
 * change of a member (the loyalty context's engine context and member writer), so the card's stores
 * are chosen again in the same write.
 */
export const myStoresOver = (p: ProcessParts, cards: Pick<WalletService, "cardByLink">) =>
  myStores({
    cards,
    stores: p.repositories.stores,
    members: p.repositories.members,
    updates: loyaltyContext({
      programs: p.repositories.programs,
      members: p.repositories.members,
      partners: p.repositories.partners,
      stores: p.repositories.stores,
      offers: p.repositories.offers,
    }),
  });
