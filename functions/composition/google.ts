import { readFileSync } from "node:fs";
import { join } from "node:path";
import { passTemplatesDir } from "../adapters/apple/pass-factory.js";
import { saveUrl } from "../adapters/google/save-link.js";
import { googleWalletApi } from "../adapters/google/wallet-api.js";
import { type GoogleWallet, googleWallet } from "../app/google-wallet.js";
import { googleWalletSettings } from "../config/google-wallet.js";
import type { GoogleWalletApi } from "../domain/ports.js";
import { logger } from "../shared/logger.js";
import type { ProcessParts } from "./process.js";

/** What each process's parts gave: one Google Wallet (one key read, one token) for all its functions. */
const built = new WeakMap<ProcessParts, GoogleWallet | undefined>();

/**
 * Google Wallet over this process's table, when the deployment has it (GOOGLE_WALLET_ISSUER_ID and a
 * service account); otherwise undefined, and the process's log says once which variables to set. Built
 * once per process, like its parts: under `npm start` the wallet and push functions share it. The REST
 * client is built on first use (it reads the service account's key, from a file or Secrets Manager),
 * once; a failure is retried by the next caller.
 */
export const googleWalletOver = (p: ProcessParts): GoogleWallet | undefined => {
  if (!built.has(p)) built.set(p, buildGoogleWallet(p));
  return built.get(p);
};

const buildGoogleWallet = (p: ProcessParts): GoogleWallet | undefined => {
  const setup = googleWalletSettings(p.env);
  if (!setup.on) {
    logger.info(setup.reason);
    return undefined;
  }
  const { settings } = setup;
  let api: Promise<GoogleWalletApi> | undefined;
  const apiOnce = () => {
    api ??= settings
      .serviceAccount()
      .then((serviceAccount) => {
        logger.info("Google Wallet ready", { issuerId: settings.issuerId, api: settings.apiUrl });
        return googleWalletApi({
          serviceAccount,
          apiUrl: settings.apiUrl,
          tokenUrl: settings.tokenUrl,
          log: {
            info: (message, details) => logger.info(message, details ?? {}),
            warn: (message, details) => logger.warn(message, details ?? {}),
            error: (message, details) => logger.error(message, details ?? {}),
          },
        });
      })
      .catch((error: unknown) => {
        api = undefined;
        throw error;
      });
    return api;
  };
  return googleWallet({
    programs: p.repositories.programs,
    stores: p.repositories.stores,
    googleObjects: p.repositories.googleObjects,
    rates: p.repositories.rates,
    api: apiOnce,
    issuerId: settings.issuerId,
    defaultLogoUri: `${p.publicUrl}/assets/google-logo.png`,
    saveUrl: async (objectId) =>
      saveUrl({ serviceAccount: await settings.serviceAccount(), objectId, origins: [p.publicUrl] }),
    log: logger,
  });
};

/** Google's default program logo (pass-templates/google/logo.png), read once. */
export const googleLogo = (): (() => Buffer) => {
  let logo: Buffer | undefined;
  return () => {
    logo ??= readFileSync(join(passTemplatesDir(), "google", "logo.png"));
    return logo;
  };
};
