/**
 * The words on a card, in the member's language (their profile's locale, else the program's), so a
 * French café's customers read "Vous avez maintenant %@ points" on their lock screen. Languages not
 * listed fall back to English. `%@` stays in every change message: Wallet puts the new value there.
 */
export interface CardText {
  points: string;
  pointsChanged: string;
  stamps: (category: string) => string;
  stampsChanged: (category: string) => string;
  tier: string;
  tierChanged: string;
  nextReward: string;
  rewardReady: (title: string) => string;
  rewardIn: (title: string, points: number) => string;
  member: string;
  vouchers: string;
  vouchersChanged: string;
  voucherList: string;
  noVouchers: string;
  voucherLine: (title: string, value: string, validTo: string) => string;
  expiringNext: string;
  expiringNextChanged: string;
  expiring: (points: number, after: string) => string;
  none: string;
  validUntil: string;
  validUntilChanged: string;
  noEndDate: string;
  cardNumber: string;
  howItWorks: string;
  contact: (organization: string) => string;
  card: string;
  expired: string;
  cardChanged: string;
  /** The back field listing the member's live offers, one a line. */
  offerList: string;
  noOffers: string;
  offerLine: (title: string, description: string, validTo: string) => string;
  /** A personal ("for you") offer's marker on its Google Wallet message. */
  forYou: string;
  /** The lock-screen text near a store with an offer: its title, then its description when it fits. */
  offerAt: (title: string, description: string) => string;
  /** The lock-screen text near a store with nothing else to say: greeting, balance, next reward. */
  welcomeBack: (firstName: string | undefined) => string;
  pointsBalance: (points: number) => string;
  stampsBalance: (category: string, stamps: number, required: number) => string;
  rewardAt: (title: string, cost: number) => string;
  description: (program: string) => string;
  earn: (points: number, currency: string) => string;
  minimumBasket: (amount: string) => string;
  stampRule: (category: string, stamps: number, reward: string) => string;
  rewardRule: (title: string, points: number) => string;
  expiryRule: (months: number) => string;
  personal: string;
  /** Google Wallet: the program logo's accessibility text. */
  logo: (program: string) => string;
  /** Google Wallet: the heading of the other stamp cards when they do not fit one module each. */
  stampCards: string;
  /** Google Wallet: the validity line of a voucher's message. */
  voucherValidTo: (day: string) => string;
  /** Google Wallet: the titles of the contact links (at most 20 characters, Google's advice). */
  website: string;
  email: string;
  phone: string;
}

const en: CardText = {
  points: "POINTS",
  pointsChanged: "You now have %@ points",
  stamps: (c) => `${c} stamps`.toUpperCase(),
  stampsChanged: (c) => `${c} stamps: %@`,
  tier: "TIER",
  tierChanged: "You are now %@",
  nextReward: "NEXT REWARD",
  rewardReady: (t) => `${t}: ready to redeem`,
  rewardIn: (t, n) => `${t} in ${n} ${n === 1 ? "point" : "points"}`,
  member: "MEMBER",
  vouchers: "VOUCHERS",
  vouchersChanged: "You have %@ vouchers",
  voucherList: "Your vouchers",
  noVouchers: "No vouchers right now.",
  voucherLine: (t, v, d) => `${t}${v}, valid until ${d}`,
  expiringNext: "Points expiring next",
  expiringNextChanged: "Points expiring next: %@",
  expiring: (n, d) => `${n} ${n === 1 ? "point" : "points"} after ${d}`,
  none: "None",
  validUntil: "Card valid until",
  validUntilChanged: "Your card is now valid until %@",
  noEndDate: "No end date",
  cardNumber: "Card number",
  howItWorks: "How it works",
  contact: (o) => `Contact ${o}`,
  card: "CARD",
  expired: "Expired",
  cardChanged: "Your card is %@",
  offerList: "Your offers",
  noOffers: "No offers right now.",
  offerLine: (t, d, to) => `${t} — ${d}, until ${to}`,
  forYou: "For you",
  offerAt: (t, d) => `${t}: ${d}`,
  welcomeBack: (n) => (n ? `Welcome back, ${n}` : "Welcome back"),
  pointsBalance: (n) => `${n} ${n === 1 ? "point" : "points"}`,
  stampsBalance: (c, n, r) => `${n}/${r} ${c} stamps`,
  rewardAt: (t, n) => `${t} at ${n}`,
  description: (p) => `${p} loyalty card`,
  earn: (n, c) => `Earn ${n} point${n === 1 ? "" : "s"} per ${c} 1 spent.`,
  minimumBasket: (a) => `Purchases under ${a} earn no points.`,
  stampRule: (c, n, r) => `${c}: ${n} stamps give ${r}.`,
  rewardRule: (t, n) => `${t}: ${n} ${n === 1 ? "point" : "points"}.`,
  expiryRule: (m) => `Points expire ${m} months after the month they were earned.`,
  personal: "This card is personal and cannot be shared.",
  logo: (p) => `${p} logo`,
  stampCards: "Stamp cards",
  voucherValidTo: (d) => `Valid until ${d}`,
  website: "Website",
  email: "Email",
  phone: "Phone",
};

const fr: CardText = {
  points: "POINTS",
  pointsChanged: "Vous avez maintenant %@ points",
  stamps: (c) => `tampons ${c}`.toUpperCase(),
  stampsChanged: (c) => `Tampons ${c} : %@`,
  tier: "NIVEAU",
  tierChanged: "Vous êtes maintenant %@",
  nextReward: "PROCHAINE RÉCOMPENSE",
  rewardReady: (t) => `${t} : à utiliser`,
  rewardIn: (t, n) => `${t} dans ${n} point${n === 1 ? "" : "s"}`,
  member: "MEMBRE",
  vouchers: "BONS",
  vouchersChanged: "Vous avez %@ bons",
  voucherList: "Vos bons",
  noVouchers: "Aucun bon pour le moment.",
  voucherLine: (t, v, d) => `${t}${v}, valable jusqu'au ${d}`,
  expiringNext: "Prochains points à expirer",
  expiringNextChanged: "Prochains points à expirer : %@",
  expiring: (n, d) => `${n} point${n === 1 ? "" : "s"} après le ${d}`,
  none: "Aucun",
  validUntil: "Carte valable jusqu'au",
  validUntilChanged: "Votre carte est valable jusqu'au %@",
  noEndDate: "Sans date de fin",
  cardNumber: "Numéro de carte",
  howItWorks: "Comment ça marche",
  contact: (o) => `Contacter ${o}`,
  card: "CARTE",
  expired: "Expirée",
  cardChanged: "Votre carte est %@",
  offerList: "Vos offres",
  noOffers: "Aucune offre pour le moment.",
  offerLine: (t, d, to) => `${t} — ${d}, jusqu'au ${to}`,
  forYou: "Pour vous",
  offerAt: (t, d) => `${t} : ${d}`,
  welcomeBack: (n) => (n ? `Bon retour, ${n}` : "Bon retour"),
  pointsBalance: (n) => `${n} point${n === 1 ? "" : "s"}`,
  stampsBalance: (c, n, r) => `${n}/${r} tampons ${c}`,
  rewardAt: (t, n) => `${t} à ${n}`,
  description: (p) => `Carte de fidélité ${p}`,
  earn: (n, c) => `${n} point${n === 1 ? "" : "s"} par ${c} 1 dépensé.`,
  minimumBasket: (a) => `Les achats de moins de ${a} ne rapportent pas de points.`,
  stampRule: (c, n, r) => `${c} : ${n} tampons donnent ${r}.`,
  rewardRule: (t, n) => `${t} : ${n} point${n === 1 ? "" : "s"}.`,
  expiryRule: (m) => `Les points expirent ${m} mois après le mois où ils ont été gagnés.`,
  personal: "Cette carte est personnelle et ne peut pas être partagée.",
  logo: (p) => `Logo ${p}`,
  stampCards: "Cartes de tampons",
  voucherValidTo: (d) => `Valable jusqu'au ${d}`,
  website: "Site web",
  email: "E-mail",
  phone: "Téléphone",
};

const de: CardText = {
  points: "PUNKTE",
  pointsChanged: "Sie haben jetzt %@ Punkte",
  stamps: (c) => `${c}-Stempel`.toUpperCase(),
  stampsChanged: (c) => `${c}-Stempel: %@`,
  tier: "STUFE",
  tierChanged: "Sie sind jetzt %@",
  nextReward: "NÄCHSTE PRÄMIE",
  rewardReady: (t) => `${t}: einlösbar`,
  rewardIn: (t, n) => `${t} in ${n} ${n === 1 ? "Punkt" : "Punkten"}`,
  member: "MITGLIED",
  vouchers: "GUTSCHEINE",
  vouchersChanged: "Sie haben %@ Gutscheine",
  voucherList: "Ihre Gutscheine",
  noVouchers: "Zurzeit keine Gutscheine.",
  voucherLine: (t, v, d) => `${t}${v}, gültig bis ${d}`,
  expiringNext: "Als Nächstes verfallende Punkte",
  expiringNextChanged: "Als Nächstes verfallende Punkte: %@",
  expiring: (n, d) => `${n} ${n === 1 ? "Punkt" : "Punkte"} nach dem ${d}`,
  none: "Keine",
  validUntil: "Karte gültig bis",
  validUntilChanged: "Ihre Karte ist jetzt gültig bis %@",
  noEndDate: "Ohne Enddatum",
  cardNumber: "Kartennummer",
  howItWorks: "So funktioniert's",
  contact: (o) => `Kontakt: ${o}`,
  card: "KARTE",
  expired: "Abgelaufen",
  cardChanged: "Ihre Karte ist %@",
  offerList: "Ihre Angebote",
  noOffers: "Zurzeit keine Angebote.",
  offerLine: (t, d, to) => `${t} — ${d}, bis ${to}`,
  forYou: "Für Sie",
  offerAt: (t, d) => `${t}: ${d}`,
  welcomeBack: (n) => (n ? `Willkommen zurück, ${n}` : "Willkommen zurück"),
  pointsBalance: (n) => `${n} ${n === 1 ? "Punkt" : "Punkte"}`,
  stampsBalance: (c, n, r) => `${n}/${r} ${c}-Stempel`,
  rewardAt: (t, n) => `${t} ab ${n}`,
  description: (p) => `${p} Kundenkarte`,
  earn: (n, c) => `${n} ${n === 1 ? "Punkt" : "Punkte"} pro ${c} 1 Umsatz.`,
  minimumBasket: (a) => `Einkäufe unter ${a} bringen keine Punkte.`,
  stampRule: (c, n, r) => `${c}: ${n} Stempel ergeben ${r}.`,
  rewardRule: (t, n) => `${t}: ${n} ${n === 1 ? "Punkt" : "Punkte"}.`,
  expiryRule: (m) => `Punkte verfallen ${m} Monate nach dem Monat, in dem sie gesammelt wurden.`,
  personal: "Diese Karte ist persönlich und nicht übertragbar.",
  logo: (p) => `${p}-Logo`,
  stampCards: "Stempelkarten",
  voucherValidTo: (d) => `Gültig bis ${d}`,
  website: "Website",
  email: "E-Mail",
  phone: "Telefon",
};

const es: CardText = {
  points: "PUNTOS",
  pointsChanged: "Ahora tienes %@ puntos",
  stamps: (c) => `sellos ${c}`.toUpperCase(),
  stampsChanged: (c) => `Sellos ${c}: %@`,
  tier: "NIVEL",
  tierChanged: "Ahora eres %@",
  nextReward: "PRÓXIMA RECOMPENSA",
  rewardReady: (t) => `${t}: lista para canjear`,
  rewardIn: (t, n) => `${t} en ${n} punto${n === 1 ? "" : "s"}`,
  member: "SOCIO",
  vouchers: "VALES",
  vouchersChanged: "Tienes %@ vales",
  voucherList: "Tus vales",
  noVouchers: "Ningún vale por ahora.",
  voucherLine: (t, v, d) => `${t}${v}, válido hasta el ${d}`,
  expiringNext: "Próximos puntos en caducar",
  expiringNextChanged: "Próximos puntos en caducar: %@",
  expiring: (n, d) => `${n} punto${n === 1 ? "" : "s"} después del ${d}`,
  none: "Ninguno",
  validUntil: "Tarjeta válida hasta",
  validUntilChanged: "Tu tarjeta es válida hasta el %@",
  noEndDate: "Sin fecha de fin",
  cardNumber: "Número de tarjeta",
  howItWorks: "Cómo funciona",
  contact: (o) => `Contactar con ${o}`,
  card: "TARJETA",
  expired: "Caducada",
  cardChanged: "Tu tarjeta está %@",
  offerList: "Tus ofertas",
  noOffers: "Ninguna oferta por ahora.",
  offerLine: (t, d, to) => `${t} — ${d}, hasta el ${to}`,
  forYou: "Para ti",
  offerAt: (t, d) => `${t}: ${d}`,
  welcomeBack: (n) => (n ? `Hola de nuevo, ${n}` : "Hola de nuevo"),
  pointsBalance: (n) => `${n} punto${n === 1 ? "" : "s"}`,
  stampsBalance: (c, n, r) => `${n}/${r} sellos ${c}`,
  rewardAt: (t, n) => `${t} a los ${n}`,
  description: (p) => `Tarjeta de fidelidad ${p}`,
  earn: (n, c) => `${n} punto${n === 1 ? "" : "s"} por cada ${c} 1 gastado.`,
  minimumBasket: (a) => `Las compras de menos de ${a} no suman puntos.`,
  stampRule: (c, n, r) => `${c}: ${n} sellos dan ${r}.`,
  rewardRule: (t, n) => `${t}: ${n} punto${n === 1 ? "" : "s"}.`,
  expiryRule: (m) => `Los puntos caducan ${m} meses después del mes en que se ganaron.`,
  personal: "Esta tarjeta es personal e intransferible.",
  logo: (p) => `Logo de ${p}`,
  stampCards: "Tarjetas de sellos",
  voucherValidTo: (d) => `Válido hasta el ${d}`,
  website: "Sitio web",
  email: "Correo",
  phone: "Teléfono",
};

/**
 * Carnet's languages by code. A Map, not an object: the code comes from a member's or a client's
 * locale, and `constructor` or `__proto__` must find no language (an object would answer with
 * Object.prototype's own properties).
 */
const LANGUAGES: ReadonlyMap<string, CardText> = new Map([
  ["en", en],
  ["fr", fr],
  ["de", de],
  ["es", es],
]);

/** The card's words for a locale such as `fr-FR`: its language if Carnet has it, else English. */
export const cardText = (...locales: (string | undefined)[]): CardText => {
  for (const locale of locales) {
    const text = locale ? LANGUAGES.get(locale.toLowerCase().split(/[-_]/)[0] ?? "") : undefined;
    if (text) return text;
  }
  return en;
};

export const CARD_LANGUAGES = [...LANGUAGES.keys()];
