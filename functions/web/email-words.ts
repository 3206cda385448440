import type { Language } from "./locale.js";

/**
 * The words of the emails Carnet sends, in each language of web/locale.ts. Names (the program's, the
 * shop's, the customer's) are inserted as they are: web/email.ts escapes them for the HTML part.
 * French puts a no-break space before `!`, `?`, `:` and `;` (so it never starts a line).
 */
export interface CardLinkWords {
  subject: (programName: string) => string;
  /** The line a mail client shows after the subject in the inbox. */
  preheader: (organizationName: string) => string;
  greeting: (firstName: string | undefined) => string;
  intro: (programName: string, organizationName: string) => string;
  /** The intro of the link sent again (asked for, or a sign-up with an address already a member). */
  introAgain: (programName: string, organizationName: string) => string;
  /** The intro of a reissued card's new link. */
  introReissued: (programName: string, organizationName: string) => string;
  wallet: string;
  openCard: string;
  addToAppleWallet: string;
  addToGoogleWallet: string;
  cardCode: string;
  /** How long the emailed link works (CARD_LINK_DAYS), and that the card in a wallet does not expire with it. */
  linkValidity: (days: number) => string;
  personal: string;
  /** Before the bare link, for a client that does not show the buttons. */
  buttonTrouble: string;
  why: (programName: string, organizationName: string) => string;
  /** What ends a label before its value ("Card number: …"): French puts a no-break space before it. */
  colon: string;
}

const NBSP = "\u00a0";

export const CARD_LINK_WORDS: Record<Language, CardLinkWords> = {
  en: {
    subject: (program) => `Your ${program} card`,
    preheader: (organization) => `Your loyalty card from ${organization} is ready for your phone's wallet.`,
    greeting: (name) => (name ? `Hello ${name},` : "Hello,"),
    intro: (program, organization) =>
      `Welcome to ${program}! Your loyalty card from ${organization} is ready.`,
    introAgain: (program, organization) =>
      `Here is the link to your ${program} card from ${organization}, as asked. It is the same card, with all your points.`,
    introReissued: (program, organization) =>
      `${organization} has issued a new link to your ${program} card: the link in earlier emails no longer works. Your points and history are unchanged.`,
    wallet:
      "Add it to your phone's wallet: it updates itself after every purchase, and you show it at the till.",
    openCard: "Open your card",
    addToAppleWallet: "Add to Apple Wallet",
    addToGoogleWallet: "Add to Google Wallet",
    cardCode: "Card number",
    linkValidity: (days) =>
      `This link works for ${days} days. Once the card is in your wallet, it keeps working.`,
    personal: "This link is personal: it opens your card. Please do not forward this email.",
    buttonTrouble: "If the buttons do not work, open this link:",
    why: (program, organization) =>
      `You are receiving this email because this address was used to join ${program} at ${organization}. If that was not you, you can ignore it.`,
    colon: ":",
  },
  fr: {
    subject: (program) => `Votre carte ${program}`,
    preheader: (organization) =>
      `Votre carte de fidélité ${organization} est prête pour le portefeuille de votre téléphone.`,
    greeting: (name) => (name ? `Bonjour ${name},` : "Bonjour,"),
    intro: (program, organization) =>
      `Bienvenue dans ${program}${NBSP}! Votre carte de fidélité chez ${organization} est prête.`,
    introAgain: (program, organization) =>
      `Voici le lien de votre carte ${program} chez ${organization}, comme demandé. C'est la même carte, avec tous vos points.`,
    introReissued: (program, organization) =>
      `${organization} a émis un nouveau lien pour votre carte ${program}${NBSP}: le lien des e-mails précédents ne fonctionne plus. Vos points et votre historique sont inchangés.`,
    wallet: `Ajoutez-la au portefeuille de votre téléphone${NBSP}: elle se met à jour toute seule après chaque achat, et vous la présentez en caisse.`,
    openCard: "Ouvrir votre carte",
    addToAppleWallet: "Ajouter à Apple Wallet",
    addToGoogleWallet: "Ajouter à Google Wallet",
    cardCode: "Numéro de carte",
    linkValidity: (days) =>
      `Ce lien est valable ${days}${NBSP}jours. Une fois la carte dans votre portefeuille, elle continue de fonctionner.`,
    personal: `Ce lien est personnel${NBSP}: il ouvre votre carte. Merci de ne pas transférer cet e-mail.`,
    buttonTrouble: `Si les boutons ne fonctionnent pas, ouvrez ce lien${NBSP}:`,
    why: (program, organization) =>
      `Vous recevez cet e-mail parce que cette adresse a été utilisée pour rejoindre ${program} chez ${organization}. Si ce n’est pas vous, ignorez-le simplement.`,
    colon: `${NBSP}:`,
  },
  de: {
    subject: (program) => `Ihre Karte für ${program}`,
    preheader: (organization) =>
      `Ihre Kundenkarte von ${organization} ist bereit für die Wallet Ihres Telefons.`,
    greeting: (name) => (name ? `Hallo ${name},` : "Guten Tag,"),
    intro: (program, organization) =>
      `Willkommen bei ${program}! Ihre Kundenkarte von ${organization} ist bereit.`,
    introAgain: (program, organization) =>
      `Hier ist wie gewünscht der Link zu Ihrer Karte ${program} von ${organization}. Es ist dieselbe Karte, mit all Ihren Punkten.`,
    introReissued: (program, organization) =>
      `${organization} hat einen neuen Link zu Ihrer Karte ${program} ausgestellt: Der Link aus früheren E-Mails funktioniert nicht mehr. Ihre Punkte und Ihr Verlauf bleiben erhalten.`,
    wallet:
      "Fügen Sie sie der Wallet Ihres Telefons hinzu: Sie aktualisiert sich nach jedem Einkauf von selbst, und Sie zeigen sie einfach an der Kasse vor.",
    openCard: "Karte öffnen",
    addToAppleWallet: "Zu Apple Wallet hinzufügen",
    addToGoogleWallet: "Zu Google Wallet hinzufügen",
    cardCode: "Kartennummer",
    linkValidity: (days) =>
      `Dieser Link ist ${days} Tage gültig. Ist die Karte einmal in Ihrer Wallet, funktioniert sie weiter.`,
    personal: "Dieser Link ist persönlich: Er öffnet Ihre Karte. Bitte leiten Sie diese E-Mail nicht weiter.",
    buttonTrouble: "Falls die Schaltflächen nicht funktionieren, öffnen Sie diesen Link:",
    why: (program, organization) =>
      `Sie erhalten diese E-Mail, weil diese Adresse für die Anmeldung bei ${program} von ${organization} verwendet wurde. Falls Sie das nicht waren, können Sie sie ignorieren.`,
    colon: ":",
  },
  es: {
    subject: (program) => `Tu tarjeta de ${program}`,
    preheader: (organization) =>
      `Tu tarjeta de fidelidad de ${organization} está lista para la cartera de tu teléfono.`,
    greeting: (name) => (name ? `Hola, ${name}:` : "Hola:"),
    intro: (program, organization) =>
      `¡Te damos la bienvenida a ${program}! Tu tarjeta de fidelidad de ${organization} ya está lista.`,
    introAgain: (program, organization) =>
      `Aquí tienes el enlace a tu tarjeta ${program} de ${organization}, como pediste. Es la misma tarjeta, con todos tus puntos.`,
    introReissued: (program, organization) =>
      `${organization} ha emitido un nuevo enlace para tu tarjeta ${program}: el enlace de los correos anteriores ya no funciona. Tus puntos y tu historial no cambian.`,
    wallet:
      "Añádela a la cartera de tu teléfono: se actualiza sola después de cada compra y solo tienes que mostrarla en caja.",
    openCard: "Abrir tu tarjeta",
    addToAppleWallet: "Añadir a Apple Wallet",
    addToGoogleWallet: "Añadir a Google Wallet",
    cardCode: "Número de tarjeta",
    linkValidity: (days) =>
      `Este enlace es válido durante ${days} días. Cuando la tarjeta esté en tu cartera, seguirá funcionando.`,
    personal: "Este enlace es personal: abre tu tarjeta. Por favor, no reenvíes este correo.",
    buttonTrouble: "Si los botones no funcionan, abre este enlace:",
    why: (program, organization) =>
      `Recibes este correo porque esta dirección se usó para unirse a ${program} de ${organization}. Si no has sido tú, puedes ignorarlo.`,
    colon: ":",
  },
};
