import { z } from "zod";

/** ISO 4217 currency code, upper case (EUR, USD, GBP, ...). */
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code in upper case, e.g. EUR")
  .meta({ description: "ISO 4217 currency code", example: "EUR" });

/** An amount of money in the currency's minor unit (cents). Always an integer. */
export const Cents = z.number().int().nonnegative().max(100_000_000_00);

/** A count of points. Always an integer: points are never fractional. */
export const Points = z.number().int().nonnegative().max(1_000_000_000);

/** `1250, "EUR"` → `EUR 12.50`: an amount written for a card or an email, locale-neutral. */
export const formatMoney = (cents: number, currency: string): string =>
  `${currency} ${(cents / 100).toFixed(2)}`;
