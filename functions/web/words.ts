import { type Html, html } from "./html.js";
import type { Language } from "./locale.js";

/**
 * Every word of every page a customer sees, in Carnet's four languages: one typed catalogue, so a
 * sentence missing in one language is a compile error. The words on the card itself (tier, vouchers,
 * card number…) are the card's own, in domain/pass/card-text.ts, and are not repeated here.
 *
 * French keeps its typography: a no-break space before `: ; ? !` (`fr()` puts it there, so the
 * sentences below stay readable as written). The wallet buttons use Apple's and Google's own wordings
 * of their badges in each language, never a translation of ours.
 */

/** The join form's fields, by their form names. */
export type JoinField =
  | "firstName"
  | "email"
  | "lastName"
  | "birthDate"
  | "postcode"
  | "referralCode"
  | "consent"
  | "marketingConsent";

/** What went wrong with a field, as the pages say it (form.ts maps zod's issue codes to these). */
export type IssueKind = "required" | "invalid" | "tooLong" | "future" | "unknown";

/** Why a card link gives no card (app/wallet.ts CardLinkError reasons). */
export type LinkProblem = "malformed" | "forged" | "expired" | "gone" | "replaced";

export type BarcodeFormat = "qr" | "pdf417" | "code128";

interface Words {
  title: string;
  text: string;
}

export interface PageWords {
  // Common to every form
  optional: string;
  opensInNewTab: string;
  /** Put before the title of a page showing errors, so a screen reader says it first. */
  errorPrefix: string;
  errorSummaryTitle: string;
  /** The label of the honeypot field, for the rare human who reaches it. */
  honeypot: string;
  labels: Record<Exclude<JoinField, "consent" | "marketingConsent">, string>;
  /** Per field, per kind of issue; `invalid` is the fallback of every field. */
  issues: Record<JoinField, Partial<Record<IssueKind, string>> & { invalid: string }>;
  /** An issue on something that is not one of the form's fields. */
  formProblem: string;

  // The join form
  joinTitle: (program: string) => string;
  joinIntro: string;
  emailHint: string;
  birthDateHint: string;
  referralHint: string;
  consentLegend: string;
  terms: string;
  privacy: string;
  /** The required consent's label; `terms` and `privacy` are links when the program has them. */
  consent: (terms: Html, privacy: Html) => Html;
  marketing: (organization: string) => string;
  joinButton: string;
  alreadyMember: string;
  getLinkAgain: string;

  // After the form
  checkInboxTitle: string;
  checkInbox: (program: string) => string;
  checkInboxLater: (organization: string) => string;

  // The card link form
  cardLinkTitle: string;
  cardLinkIntro: (program: string) => string;
  cardLinkButton: string;

  // Refusals
  waitTitle: string;
  waitText: (minutes: number) => string;
  notFound: Words;

  // The poster
  posterCta: (program: string) => string;
  posterFree: string;
  posterOrVisit: string;
  posterPrintHint: string;
  posterQrAlt: (program: string) => string;

  // The card page
  cardTitle: (program: string) => string;
  /** The word after the balance: `42 points`. */
  pointsUnit: (points: number) => string;
  stampsOf: (count: number, required: number) => string;
  showAtTill: string;
  barcodeAlt: Record<BarcodeFormat, string>;
  addToPhone: string;
  /** Apple's wording of its "Add to Apple Wallet" badge in this language. */
  appleWallet: string;
  /** Google's wording of its "Add to Google Wallet" button in this language. */
  googleWallet: string;
  scanToOpen: string;
  scanQrAlt: string;
  cardNote: string;

  // Card links that give no card
  linkProblems: Record<"invalid" | "expired" | "gone" | "replaced", Words>;
  freshLinkTitle: string;
  freshLinkIntro: (program: string) => string;
  freshLinkButton: string;
  passesUnavailable: Words;
  googleUnavailable: Words;
  tooManyAttemptsTitle: string;
  tooManyAttempts: (minutes: number) => string;

  // "My stores" (stores-page.ts) and its link on the card page
  myStores: MyStoresWords;
}

/** The words of "My stores": the page where a member pins the stores the card shows first. */
export interface MyStoresWords {
  /** The card page's link to it, and what it is for. */
  link: string;
  linkHint: string;
  title: string;
  pageTitle: (program: string) => string;
  intro: string;
  /** The checkbox group's legend, and the limit in words under it. */
  legend: string;
  limit: (max: number) => string;
  chosenTitle: string;
  noneChosen: string;
  onCardTitle: string;
  nearbyTitle: string;
  foundTitle: (query: string) => string;
  /** `others`: some chosen stores (listed above the results) may match too. */
  noneFound: (query: string, others: boolean) => string;
  moreFound: (shown: number) => string;
  noStores: string;
  searchLabel: string;
  searchHint: string;
  searchButton: string;
  clearSearch: string;
  save: string;
  saved: string;
  savedNone: string;
  tooMany: (max: number) => string;
  unknownStore: string;
  backToCard: string;
}

const en: PageWords = {
  optional: "(optional)",
  opensInNewTab: "(opens in a new tab)",
  errorPrefix: "Error: ",
  errorSummaryTitle: "There is a problem",
  honeypot: "Leave this field empty",
  labels: {
    firstName: "First name",
    lastName: "Last name",
    email: "Email address",
    birthDate: "Date of birth",
    postcode: "Postcode",
    referralCode: "Referral code",
  },
  issues: {
    firstName: {
      required: "Enter your first name",
      tooLong: "Your first name is too long",
      invalid: "Check your first name",
    },
    email: {
      required: "Enter your email address",
      tooLong: "Your email address is too long",
      invalid: "Enter an email address in the right format, like name@example.com",
    },
    lastName: { tooLong: "Your last name is too long", invalid: "Check your last name" },
    birthDate: {
      future: "Your date of birth must be in the past",
      invalid: "Enter a real date of birth",
    },
    postcode: { tooLong: "Your postcode is too long", invalid: "Enter a valid postcode" },
    referralCode: {
      unknown: "We don't know this referral code: check it, or leave the field empty",
      invalid: "Check the referral code: it has 8 letters and numbers",
    },
    consent: {
      required: "Tick the box to accept the terms and join",
      invalid: "Tick the box to accept the terms and join",
    },
    marketingConsent: { invalid: "Choose whether you want offers by email" },
  },
  formProblem: "Check the form and try again",

  joinTitle: (p) => `Join ${p}`,
  joinIntro:
    "Sign up in a minute and keep your loyalty card in your phone's wallet. We'll email you the link to your card.",
  emailHint: "We'll send the link to your card here.",
  birthDateHint: "For a treat on your birthday.",
  referralHint: "If someone gave you a code.",
  consentLegend: "Your consent",
  terms: "program terms",
  privacy: "privacy notice",
  consent: (t, p) => html`I accept the ${t} and I have read the ${p}.`,
  marketing: (o) => `Send me offers and news from ${o} by email.`,
  joinButton: "Join and get my card",
  alreadyMember: "Already a member?",
  getLinkAgain: "Get your card link again",

  checkInboxTitle: "Check your inbox",
  checkInbox: (p) =>
    `We're sending the link to your ${p} card to the email address you entered. Open the email on your phone and tap the link to add the card to your wallet.`,
  checkInboxLater: (o) =>
    `It should arrive within a few minutes. Nothing there? Look in your spam folder, or ask ${o} on your next visit.`,

  cardLinkTitle: "Get your card link again",
  cardLinkIntro: (p) =>
    `Enter the email address you joined ${p} with. If it belongs to a card, we'll email you its link.`,
  cardLinkButton: "Email me my card link",

  waitTitle: "Please wait a moment",
  waitText: (m) =>
    `There have been too many attempts in a short time. Please try again in ${m} ${m === 1 ? "minute" : "minutes"}.`,
  notFound: {
    title: "We can't find this loyalty program",
    text: "The link or QR code may be out of date. Ask the shop for a new one.",
  },

  posterCta: (p) => `Scan to join ${p} and get your card in your phone's wallet`,
  posterFree: "Free, with no app to install.",
  posterOrVisit: "Or open this address:",
  posterPrintHint: "Print this page on A5 paper (or on A4, scaled to fit) and put it up next to the till.",
  posterQrAlt: (p) => `QR code to join ${p}`,

  cardTitle: (p) => `${p} - your card`,
  pointsUnit: (n) => (n === 1 ? "point" : "points"),
  stampsOf: (c, r) => `${c} of ${r}`,
  showAtTill: "Show this at the till",
  barcodeAlt: {
    qr: "Your card's QR code",
    pdf417: "Your card's barcode",
    code128: "Your card's barcode",
  },
  addToPhone: "Add the card to your phone",
  appleWallet: "Add to Apple Wallet",
  googleWallet: "Add to Google Wallet",
  scanToOpen: "On a computer? Scan this code with your phone's camera to open your card there.",
  scanQrAlt: "QR code that opens this card on your phone",
  cardNote:
    "The card updates itself on your phone after every purchase. Keep this link private: it opens your card.",

  linkProblems: {
    invalid: {
      title: "This card link is not valid",
      text: "The link may have been cut or changed when it was copied. Open it again from the email, by tapping it rather than copying it.",
    },
    expired: {
      title: "This card link has expired",
      text: "For your security, card links work for a limited time. Ask the shop for a new link, or sign up again with the same email address: you will receive your same card, with all your points.",
    },
    gone: {
      title: "This card no longer exists",
      text: "The loyalty card behind this link has been closed. If you think this is a mistake, contact the shop.",
    },
    replaced: {
      title: "This card link was replaced",
      text: "The shop has issued a new card link for this loyalty card, and this one no longer works. Use the link in the most recent email from the shop, or ask the shop to send it again.",
    },
  },
  freshLinkTitle: "Get a fresh link",
  freshLinkIntro: (p) =>
    `Enter the email address you joined ${p} with. If it belongs to a card, we'll email you a new link.`,
  freshLinkButton: "Email me a fresh link",
  passesUnavailable: {
    title: "Your card cannot be added right now",
    text: "The shop's wallet passes are not available at the moment. Your card and your points are safe: try this link again later.",
  },
  googleUnavailable: {
    title: "Google Wallet is not available right now",
    text: "Your card could not be added to Google Wallet at the moment. Your card and your points are safe: try this link again later.",
  },
  tooManyAttemptsTitle: "Please wait a moment",
  tooManyAttempts: (m) =>
    `This card was just added several times in a row. Your card and your points are safe: try again in ${m <= 1 ? "a minute" : `${m} minutes`}.`,
  myStores: {
    link: "My stores",
    linkHint: "Choose the stores your card shows first.",
    title: "My stores",
    pageTitle: (p) => `My stores - ${p}`,
    intro:
      "Your card can show up to 10 stores, so that your phone reminds you of it when you are near one. Pin your favourites and they come first.",
    legend: "Choose your favourite stores",
    limit: (m) => `You can choose up to ${m}. Your card shows them first.`,
    chosenTitle: "Your choice",
    noneChosen: "You have not chosen any store yet.",
    onCardTitle: "On your card now",
    nearbyTitle: "Nearby stores",
    foundTitle: (q) => `Stores matching “${q}”`,
    noneFound: (q, others) => (others ? `No other store matches “${q}”.` : `No store matches “${q}”.`),
    moreFound: (n) => `Only the first ${n} stores are shown: add a word to narrow the search.`,
    noStores: "There are no stores to choose from yet.",
    searchLabel: "Find a store",
    searchHint: "A name, street, town or postcode",
    searchButton: "Search",
    clearSearch: "Clear the search",
    save: "Save my stores",
    saved: "Saved. Your card will show these stores first.",
    savedNone: "Saved. You have no favourite store now.",
    tooMany: (m) => `Choose no more than ${m} stores`,
    unknownStore: "Choose stores from the list: one you chose is not a store of this program",
    backToCard: "Back to my card",
  },
};

/** French spacing: a no-break space before `: ; ? !`, so the sign never starts a line on a narrow phone. */
const fr_ = (text: string): string => text.replace(/ ([:;?!])/g, "\u00a0$1");

const fr: PageWords = {
  optional: "(facultatif)",
  opensInNewTab: "(s'ouvre dans un nouvel onglet)",
  errorPrefix: fr_("Erreur : "),
  errorSummaryTitle: "Il y a un problème",
  honeypot: "Laissez ce champ vide",
  labels: {
    firstName: "Prénom",
    lastName: "Nom",
    email: "Adresse e-mail",
    birthDate: "Date de naissance",
    postcode: "Code postal",
    referralCode: "Code de parrainage",
  },
  issues: {
    firstName: {
      required: "Saisissez votre prénom",
      tooLong: "Votre prénom est trop long",
      invalid: "Vérifiez votre prénom",
    },
    email: {
      required: "Saisissez votre adresse e-mail",
      tooLong: "Votre adresse e-mail est trop longue",
      invalid: "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr",
    },
    lastName: { tooLong: "Votre nom est trop long", invalid: "Vérifiez votre nom" },
    birthDate: {
      future: "Votre date de naissance doit être dans le passé",
      invalid: "Saisissez une date de naissance valide",
    },
    postcode: { tooLong: "Votre code postal est trop long", invalid: "Saisissez un code postal valide" },
    referralCode: {
      unknown: fr_("Ce code de parrainage est inconnu : vérifiez-le, ou laissez le champ vide"),
      invalid: fr_("Vérifiez le code de parrainage : il compte 8 lettres et chiffres"),
    },
    consent: {
      required: "Cochez la case pour accepter les conditions et vous inscrire",
      invalid: "Cochez la case pour accepter les conditions et vous inscrire",
    },
    marketingConsent: { invalid: "Indiquez si vous souhaitez recevoir les offres par e-mail" },
  },
  formProblem: "Vérifiez le formulaire et réessayez",

  joinTitle: (p) => `Rejoindre ${p}`,
  joinIntro:
    "Inscrivez-vous en une minute et gardez votre carte de fidélité dans votre téléphone. Nous vous envoyons le lien de votre carte par e-mail.",
  emailHint: "Nous y enverrons le lien de votre carte.",
  birthDateHint: "Pour une petite attention le jour de votre anniversaire.",
  referralHint: "Si quelqu'un vous a donné un code.",
  consentLegend: "Votre consentement",
  terms: "conditions du programme",
  privacy: "politique de confidentialité",
  consent: (t, p) => html`J'accepte les ${t} et j'ai lu la ${p}.`,
  marketing: (o) => `Je souhaite recevoir par e-mail les offres et les nouveautés de ${o}.`,
  joinButton: "M'inscrire et recevoir ma carte",
  alreadyMember: fr_("Déjà membre ?"),
  getLinkAgain: "Recevoir à nouveau le lien de ma carte",

  checkInboxTitle: "Consultez votre boîte de réception",
  checkInbox: (p) =>
    `Nous envoyons le lien de votre carte ${p} à l'adresse e-mail que vous avez saisie. Ouvrez l'e-mail sur votre téléphone et touchez le lien pour ajouter la carte à votre téléphone.`,
  checkInboxLater: (o) =>
    fr_(
      `Il devrait arriver d'ici quelques minutes. Rien reçu ? Regardez dans vos courriers indésirables, ou demandez à ${o} lors de votre prochain passage.`,
    ),

  cardLinkTitle: "Recevoir à nouveau le lien de ma carte",
  cardLinkIntro: (p) =>
    `Saisissez l'adresse e-mail avec laquelle vous avez rejoint ${p}. Si elle correspond à une carte, nous vous en enverrons le lien par e-mail.`,
  cardLinkButton: "M'envoyer le lien de ma carte",

  waitTitle: "Merci de patienter un instant",
  waitText: (m) =>
    `Il y a eu trop de tentatives en peu de temps. Réessayez dans ${m} minute${m > 1 ? "s" : ""}.`,
  notFound: {
    title: "Ce programme de fidélité est introuvable",
    text: "Le lien ou le QR code n'est peut-être plus à jour. Demandez-en un nouveau en magasin.",
  },

  posterCta: (p) => `Scannez pour rejoindre ${p} et garder votre carte dans votre téléphone`,
  posterFree: "Gratuit, sans application à installer.",
  posterOrVisit: fr_("Ou ouvrez cette adresse :"),
  posterPrintHint:
    "Imprimez cette page au format A5 (ou en A4, ajustée à la page) et affichez-la près de la caisse.",
  posterQrAlt: (p) => `QR code pour rejoindre ${p}`,

  cardTitle: (p) => `${p} - votre carte`,
  pointsUnit: (n) => (n <= 1 ? "point" : "points"),
  stampsOf: (c, r) => `${c} sur ${r}`,
  showAtTill: "Présentez ce code en caisse",
  barcodeAlt: {
    qr: "Le QR code de votre carte",
    pdf417: "Le code-barres de votre carte",
    code128: "Le code-barres de votre carte",
  },
  addToPhone: "Ajoutez la carte à votre téléphone",
  appleWallet: "Ajouter à Apple Wallet",
  googleWallet: "Ajouter à Google Wallet",
  scanToOpen: fr_(
    "Sur un ordinateur ? Scannez ce code avec l'appareil photo de votre téléphone pour y ouvrir votre carte.",
  ),
  scanQrAlt: "QR code qui ouvre cette carte sur votre téléphone",
  cardNote: fr_(
    "La carte se met à jour toute seule sur votre téléphone après chaque achat. Gardez ce lien pour vous : il donne accès à votre carte.",
  ),

  linkProblems: {
    invalid: {
      title: "Ce lien de carte n'est pas valide",
      text: "Le lien a peut-être été coupé ou modifié lors d'un copier-coller. Ouvrez-le à nouveau depuis l'e-mail, en le touchant plutôt qu'en le copiant.",
    },
    expired: {
      title: "Ce lien de carte a expiré",
      text: fr_(
        "Pour votre sécurité, les liens de carte ne fonctionnent que pendant un temps limité. Demandez un nouveau lien en magasin, ou inscrivez-vous à nouveau avec la même adresse e-mail : vous recevrez la même carte, avec tous vos points.",
      ),
    },
    gone: {
      title: "Cette carte n'existe plus",
      text: "La carte de fidélité liée à ce lien a été clôturée. S'il s'agit d'une erreur, contactez le magasin.",
    },
    replaced: {
      title: "Ce lien de carte a été remplacé",
      text: "Le magasin a émis un nouveau lien pour cette carte de fidélité, et celui-ci ne fonctionne plus. Utilisez le lien du dernier e-mail reçu du magasin, ou demandez-lui de vous le renvoyer.",
    },
  },
  freshLinkTitle: "Recevoir un nouveau lien",
  freshLinkIntro: (p) =>
    `Saisissez l'adresse e-mail avec laquelle vous avez rejoint ${p}. Si elle correspond à une carte, nous vous enverrons un nouveau lien par e-mail.`,
  freshLinkButton: "M'envoyer un nouveau lien",
  passesUnavailable: {
    title: "Votre carte ne peut pas être ajoutée pour le moment",
    text: fr_(
      "Les cartes du magasin pour le téléphone ne sont pas disponibles pour l'instant. Votre carte et vos points sont en sécurité : réessayez ce lien plus tard.",
    ),
  },
  googleUnavailable: {
    title: "Google Wallet n'est pas disponible pour le moment",
    text: fr_(
      "Votre carte n'a pas pu être ajoutée à Google Wallet pour l'instant. Votre carte et vos points sont en sécurité : réessayez ce lien plus tard.",
    ),
  },
  tooManyAttemptsTitle: "Merci de patienter un instant",
  tooManyAttempts: (m) =>
    fr_(
      `Cette carte vient d'être ajoutée plusieurs fois de suite. Votre carte et vos points sont en sécurité : réessayez dans ${m <= 1 ? "une minute" : `${m} minutes`}.`,
    ),
  myStores: {
    link: "Mes magasins",
    linkHint: "Choisissez les magasins que votre carte affiche en premier.",
    title: "Mes magasins",
    pageTitle: (p) => `Mes magasins - ${p}`,
    intro: fr_(
      "Votre carte peut afficher jusqu'à 10 magasins, pour que votre téléphone vous la rappelle quand vous êtes près de l'un d'eux. Épinglez vos préférés : ils passent en premier.",
    ),
    legend: "Choisissez vos magasins préférés",
    limit: (m) => `Vous pouvez en choisir jusqu'à ${m}. Votre carte les affiche en premier.`,
    chosenTitle: "Votre sélection",
    noneChosen: "Vous n'avez encore choisi aucun magasin.",
    onCardTitle: "Sur votre carte en ce moment",
    nearbyTitle: "Magasins à proximité",
    foundTitle: (q) => `Magasins correspondant à «\u00a0${q}\u00a0»`,
    noneFound: (q, others) =>
      others
        ? `Aucun autre magasin ne correspond à «\u00a0${q}\u00a0».`
        : `Aucun magasin ne correspond à «\u00a0${q}\u00a0».`,
    moreFound: (n) =>
      fr_(`Seuls les ${n} premiers magasins sont affichés : ajoutez un mot pour affiner la recherche.`),
    noStores: "Il n'y a pas encore de magasin à choisir.",
    searchLabel: "Trouver un magasin",
    searchHint: "Un nom, une rue, une ville ou un code postal",
    searchButton: "Rechercher",
    clearSearch: "Effacer la recherche",
    save: "Enregistrer mes magasins",
    saved: "C'est enregistré. Votre carte affichera ces magasins en premier.",
    savedNone: "C'est enregistré. Vous n'avez plus de magasin préféré.",
    tooMany: (m) => `Choisissez au plus ${m} magasins`,
    unknownStore: fr_(
      "Choisissez des magasins dans la liste : l'un de ceux que vous avez choisis n'est pas un magasin de ce programme",
    ),
    backToCard: "Retour à ma carte",
  },
};

const de: PageWords = {
  optional: "(optional)",
  opensInNewTab: "(öffnet sich in einem neuen Tab)",
  errorPrefix: "Fehler: ",
  errorSummaryTitle: "Bitte prüfen Sie Ihre Angaben",
  honeypot: "Dieses Feld bitte leer lassen",
  labels: {
    firstName: "Vorname",
    lastName: "Nachname",
    email: "E-Mail-Adresse",
    birthDate: "Geburtsdatum",
    postcode: "Postleitzahl",
    referralCode: "Empfehlungscode",
  },
  issues: {
    firstName: {
      required: "Geben Sie Ihren Vornamen ein",
      tooLong: "Ihr Vorname ist zu lang",
      invalid: "Prüfen Sie Ihren Vornamen",
    },
    email: {
      required: "Geben Sie Ihre E-Mail-Adresse ein",
      tooLong: "Ihre E-Mail-Adresse ist zu lang",
      invalid: "Geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.de",
    },
    lastName: { tooLong: "Ihr Nachname ist zu lang", invalid: "Prüfen Sie Ihren Nachnamen" },
    birthDate: {
      future: "Ihr Geburtsdatum muss in der Vergangenheit liegen",
      invalid: "Geben Sie ein gültiges Geburtsdatum ein",
    },
    postcode: {
      tooLong: "Ihre Postleitzahl ist zu lang",
      invalid: "Geben Sie eine gültige Postleitzahl ein",
    },
    referralCode: {
      unknown: "Diesen Empfehlungscode kennen wir nicht: Prüfen Sie ihn oder lassen Sie das Feld leer",
      invalid: "Prüfen Sie den Empfehlungscode: Er besteht aus 8 Buchstaben und Ziffern",
    },
    consent: {
      required: "Setzen Sie das Häkchen, um die Bedingungen zu akzeptieren und sich anzumelden",
      invalid: "Setzen Sie das Häkchen, um die Bedingungen zu akzeptieren und sich anzumelden",
    },
    marketingConsent: { invalid: "Geben Sie an, ob Sie Angebote per E-Mail erhalten möchten" },
  },
  formProblem: "Prüfen Sie das Formular und versuchen Sie es erneut",

  joinTitle: (p) => `Bei ${p} anmelden`,
  joinIntro:
    "Melden Sie sich in einer Minute an und haben Sie Ihre Kundenkarte immer auf dem Handy dabei. Den Link zu Ihrer Karte schicken wir Ihnen per E-Mail.",
  emailHint: "Hierhin schicken wir den Link zu Ihrer Karte.",
  birthDateHint: "Für eine kleine Überraschung zu Ihrem Geburtstag.",
  referralHint: "Falls Ihnen jemand einen Code gegeben hat.",
  consentLegend: "Ihre Einwilligung",
  terms: "Teilnahmebedingungen",
  privacy: "Datenschutzhinweise",
  consent: (t, p) => html`Ich akzeptiere die ${t} und habe die ${p} gelesen.`,
  marketing: (o) => `Ich möchte Angebote und Neuigkeiten von ${o} per E-Mail erhalten.`,
  joinButton: "Anmelden und Karte erhalten",
  alreadyMember: "Schon Mitglied?",
  getLinkAgain: "Link zu meiner Karte erneut erhalten",

  checkInboxTitle: "Sehen Sie in Ihr Postfach",
  checkInbox: (p) =>
    `Wir schicken den Link zu Ihrer Karte von ${p} an die angegebene E-Mail-Adresse. Öffnen Sie die E-Mail auf Ihrem Handy und tippen Sie auf den Link, um die Karte zu Ihrer Wallet hinzuzufügen.`,
  checkInboxLater: (o) =>
    `Sie sollte in wenigen Minuten ankommen. Nichts angekommen? Sehen Sie im Spam-Ordner nach oder fragen Sie bei Ihrem nächsten Besuch bei ${o} nach.`,

  cardLinkTitle: "Link zu meiner Karte erneut erhalten",
  cardLinkIntro: (p) =>
    `Geben Sie die E-Mail-Adresse ein, mit der Sie sich bei ${p} angemeldet haben. Gehört sie zu einer Karte, schicken wir Ihnen den Link dazu per E-Mail.`,
  cardLinkButton: "Link zu meiner Karte senden",

  waitTitle: "Bitte einen Moment Geduld",
  waitText: (m) =>
    `Es gab zu viele Versuche in kurzer Zeit. Bitte versuchen Sie es in ${m} ${m === 1 ? "Minute" : "Minuten"} erneut.`,
  notFound: {
    title: "Dieses Kundenprogramm wurde nicht gefunden",
    text: "Der Link oder QR-Code ist vielleicht nicht mehr aktuell. Fragen Sie im Geschäft nach einem neuen.",
  },

  posterCta: (p) => `Jetzt scannen, bei ${p} anmelden und die Karte in die Wallet Ihres Handys holen`,
  posterFree: "Kostenlos, ohne App-Installation.",
  posterOrVisit: "Oder öffnen Sie diese Adresse:",
  posterPrintHint:
    "Drucken Sie diese Seite im Format A5 aus (oder auf A4, an die Seite angepasst) und hängen Sie sie neben der Kasse auf.",
  posterQrAlt: (p) => `QR-Code zur Anmeldung bei ${p}`,

  cardTitle: (p) => `${p} - Ihre Karte`,
  pointsUnit: (n) => (n === 1 ? "Punkt" : "Punkte"),
  stampsOf: (c, r) => `${c} von ${r}`,
  showAtTill: "An der Kasse vorzeigen",
  barcodeAlt: {
    qr: "QR-Code Ihrer Karte",
    pdf417: "Barcode Ihrer Karte",
    code128: "Barcode Ihrer Karte",
  },
  addToPhone: "Karte aufs Handy holen",
  appleWallet: "Zu Apple Wallet hinzufügen",
  googleWallet: "Zu Google Wallet hinzufügen",
  scanToOpen:
    "Am Computer? Scannen Sie diesen Code mit der Kamera Ihres Handys, um Ihre Karte dort zu öffnen.",
  scanQrAlt: "QR-Code, der diese Karte auf Ihrem Handy öffnet",
  cardNote:
    "Die Karte aktualisiert sich nach jedem Einkauf von selbst auf Ihrem Handy. Behalten Sie diesen Link für sich: Er öffnet Ihre Karte.",

  linkProblems: {
    invalid: {
      title: "Dieser Kartenlink ist ungültig",
      text: "Der Link wurde beim Kopieren vielleicht abgeschnitten oder verändert. Öffnen Sie ihn erneut aus der E-Mail, indem Sie darauf tippen, statt ihn zu kopieren.",
    },
    expired: {
      title: "Dieser Kartenlink ist abgelaufen",
      text: "Zu Ihrer Sicherheit funktionieren Kartenlinks nur eine begrenzte Zeit. Bitten Sie das Geschäft um einen neuen Link oder melden Sie sich mit derselben E-Mail-Adresse erneut an: Sie erhalten dieselbe Karte mit allen Ihren Punkten.",
    },
    gone: {
      title: "Diese Karte gibt es nicht mehr",
      text: "Die Kundenkarte hinter diesem Link wurde geschlossen. Wenn Sie das für einen Fehler halten, wenden Sie sich an das Geschäft.",
    },
    replaced: {
      title: "Dieser Kartenlink wurde ersetzt",
      text: "Das Geschäft hat für diese Kundenkarte einen neuen Link ausgestellt, dieser hier funktioniert nicht mehr. Verwenden Sie den Link aus der neuesten E-Mail des Geschäfts oder bitten Sie das Geschäft, ihn erneut zu senden.",
    },
  },
  freshLinkTitle: "Neuen Link anfordern",
  freshLinkIntro: (p) =>
    `Geben Sie die E-Mail-Adresse ein, mit der Sie sich bei ${p} angemeldet haben. Gehört sie zu einer Karte, schicken wir Ihnen einen neuen Link per E-Mail.`,
  freshLinkButton: "Neuen Link per E-Mail senden",
  passesUnavailable: {
    title: "Ihre Karte kann gerade nicht hinzugefügt werden",
    text: "Die Wallet-Karten des Geschäfts sind im Moment nicht verfügbar. Ihre Karte und Ihre Punkte sind sicher: Versuchen Sie es später noch einmal über diesen Link.",
  },
  googleUnavailable: {
    title: "Google Wallet ist gerade nicht verfügbar",
    text: "Ihre Karte konnte gerade nicht zu Google Wallet hinzugefügt werden. Ihre Karte und Ihre Punkte sind sicher: Versuchen Sie es später noch einmal über diesen Link.",
  },
  tooManyAttemptsTitle: "Bitte einen Moment Geduld",
  tooManyAttempts: (m) =>
    `Diese Karte wurde gerade mehrmals hintereinander hinzugefügt. Ihre Karte und Ihre Punkte sind sicher: Versuchen Sie es in ${m <= 1 ? "einer Minute" : `${m} Minuten`} erneut.`,
  myStores: {
    link: "Meine Filialen",
    linkHint: "Wählen Sie die Filialen, die Ihre Karte zuerst zeigt.",
    title: "Meine Filialen",
    pageTitle: (p) => `Meine Filialen - ${p}`,
    intro:
      "Ihre Karte kann bis zu 10 Filialen zeigen, damit Ihr Handy Sie in der Nähe einer davon an die Karte erinnert. Markieren Sie Ihre Lieblingsfilialen: Sie kommen zuerst.",
    legend: "Wählen Sie Ihre Lieblingsfilialen",
    limit: (m) => `Sie können bis zu ${m} wählen. Ihre Karte zeigt sie zuerst.`,
    chosenTitle: "Ihre Auswahl",
    noneChosen: "Sie haben noch keine Filiale gewählt.",
    onCardTitle: "Derzeit auf Ihrer Karte",
    nearbyTitle: "Filialen in der Nähe",
    foundTitle: (q) => `Filialen zu „${q}“`,
    noneFound: (q, others) =>
      others ? `Keine weitere Filiale passt zu „${q}“.` : `Keine Filiale passt zu „${q}“.`,
    moreFound: (n) =>
      `Nur die ersten ${n} Filialen werden gezeigt: Geben Sie ein weiteres Wort ein, um die Suche einzugrenzen.`,
    noStores: "Es gibt noch keine Filialen zur Auswahl.",
    searchLabel: "Filiale finden",
    searchHint: "Name, Straße, Ort oder Postleitzahl",
    searchButton: "Suchen",
    clearSearch: "Suche löschen",
    save: "Meine Filialen speichern",
    saved: "Gespeichert. Ihre Karte zeigt diese Filialen zuerst.",
    savedNone: "Gespeichert. Sie haben jetzt keine Lieblingsfiliale.",
    tooMany: (m) => `Wählen Sie höchstens ${m} Filialen`,
    unknownStore: "Wählen Sie Filialen aus der Liste: Eine Ihrer Auswahl ist keine Filiale dieses Programms",
    backToCard: "Zurück zu meiner Karte",
  },
};

const es: PageWords = {
  optional: "(opcional)",
  opensInNewTab: "(se abre en una pestaña nueva)",
  errorPrefix: "Error: ",
  errorSummaryTitle: "Hay un problema",
  honeypot: "Deja este campo vacío",
  labels: {
    firstName: "Nombre",
    lastName: "Apellidos",
    email: "Correo electrónico",
    birthDate: "Fecha de nacimiento",
    postcode: "Código postal",
    referralCode: "Código de invitación",
  },
  issues: {
    firstName: {
      required: "Escribe tu nombre",
      tooLong: "Tu nombre es demasiado largo",
      invalid: "Revisa tu nombre",
    },
    email: {
      required: "Escribe tu correo electrónico",
      tooLong: "Tu correo electrónico es demasiado largo",
      invalid: "Escribe un correo electrónico válido, por ejemplo nombre@ejemplo.es",
    },
    lastName: { tooLong: "Tus apellidos son demasiado largos", invalid: "Revisa tus apellidos" },
    birthDate: {
      future: "Tu fecha de nacimiento tiene que ser anterior a hoy",
      invalid: "Escribe una fecha de nacimiento válida",
    },
    postcode: { tooLong: "Tu código postal es demasiado largo", invalid: "Escribe un código postal válido" },
    referralCode: {
      unknown: "No reconocemos este código de invitación: revísalo o deja el campo vacío",
      invalid: "Revisa el código de invitación: tiene 8 letras y números",
    },
    consent: {
      required: "Marca la casilla para aceptar las condiciones y unirte",
      invalid: "Marca la casilla para aceptar las condiciones y unirte",
    },
    marketingConsent: { invalid: "Indica si quieres recibir ofertas por correo" },
  },
  formProblem: "Revisa el formulario e inténtalo de nuevo",

  joinTitle: (p) => `Únete a ${p}`,
  joinIntro:
    "Regístrate en un minuto y lleva tu tarjeta de fidelidad siempre en el móvil. Te enviaremos por correo el enlace a tu tarjeta.",
  emailHint: "Aquí te enviaremos el enlace a tu tarjeta.",
  birthDateHint: "Para darte una sorpresa en tu cumpleaños.",
  referralHint: "Si alguien te ha dado un código.",
  consentLegend: "Tu consentimiento",
  terms: "condiciones del programa",
  privacy: "política de privacidad",
  consent: (t, p) => html`Acepto las ${t} y he leído la ${p}.`,
  marketing: (o) => `Quiero recibir por correo ofertas y novedades de ${o}.`,
  joinButton: "Unirme y recibir mi tarjeta",
  alreadyMember: "¿Ya tienes tarjeta?",
  getLinkAgain: "Recibir de nuevo el enlace a mi tarjeta",

  checkInboxTitle: "Revisa tu bandeja de entrada",
  checkInbox: (p) =>
    `Estamos enviando el enlace a tu tarjeta de ${p} al correo electrónico que has indicado. Abre el correo en el móvil y toca el enlace para guardar la tarjeta en tu móvil.`,
  checkInboxLater: (o) =>
    `Debería llegar en unos minutos. ¿No lo encuentras? Mira en la carpeta de correo no deseado o pregunta en ${o} la próxima vez que vayas.`,

  cardLinkTitle: "Recibir de nuevo el enlace a mi tarjeta",
  cardLinkIntro: (p) =>
    `Escribe el correo electrónico con el que te uniste a ${p}. Si corresponde a una tarjeta, te enviaremos su enlace por correo.`,
  cardLinkButton: "Enviarme el enlace de mi tarjeta",

  waitTitle: "Espera un momento",
  waitText: (m) =>
    `Ha habido demasiados intentos en poco tiempo. Vuelve a intentarlo dentro de ${m} ${m === 1 ? "minuto" : "minutos"}.`,
  notFound: {
    title: "No encontramos este programa de fidelidad",
    text: "Puede que el enlace o el código QR ya no estén al día. Pide uno nuevo en la tienda.",
  },

  posterCta: (p) => `Escanea para unirte a ${p} y llevar tu tarjeta en el móvil`,
  posterFree: "Gratis y sin instalar ninguna aplicación.",
  posterOrVisit: "O abre esta dirección:",
  posterPrintHint: "Imprime esta página en A5 (o en A4, ajustada a la página) y colócala junto a la caja.",
  posterQrAlt: (p) => `Código QR para unirte a ${p}`,

  cardTitle: (p) => `${p} - tu tarjeta`,
  pointsUnit: (n) => (n === 1 ? "punto" : "puntos"),
  stampsOf: (c, r) => `${c} de ${r}`,
  showAtTill: "Muéstralo en caja",
  barcodeAlt: {
    qr: "Código QR de tu tarjeta",
    pdf417: "Código de barras de tu tarjeta",
    code128: "Código de barras de tu tarjeta",
  },
  addToPhone: "Guarda la tarjeta en el móvil",
  appleWallet: "Añadir a Apple Wallet",
  googleWallet: "Añadir a Google Wallet",
  scanToOpen:
    "¿Estás en un ordenador? Escanea este código con la cámara del móvil para abrir allí tu tarjeta.",
  scanQrAlt: "Código QR que abre esta tarjeta en tu móvil",
  cardNote:
    "La tarjeta se actualiza sola en tu móvil después de cada compra. No compartas este enlace: abre tu tarjeta.",

  linkProblems: {
    invalid: {
      title: "Este enlace de tarjeta no es válido",
      text: "Puede que el enlace se haya cortado o modificado al copiarlo. Ábrelo de nuevo desde el correo, tocándolo en lugar de copiarlo.",
    },
    expired: {
      title: "Este enlace de tarjeta ha caducado",
      text: "Por tu seguridad, los enlaces de tarjeta solo funcionan durante un tiempo limitado. Pide un enlace nuevo en la tienda o vuelve a registrarte con el mismo correo electrónico: recibirás la misma tarjeta, con todos tus puntos.",
    },
    gone: {
      title: "Esta tarjeta ya no existe",
      text: "La tarjeta de fidelidad de este enlace se ha cerrado. Si crees que es un error, ponte en contacto con la tienda.",
    },
    replaced: {
      title: "Este enlace de tarjeta se ha sustituido",
      text: "La tienda ha emitido un enlace nuevo para esta tarjeta de fidelidad y este ya no funciona. Usa el enlace del correo más reciente de la tienda o pídele que te lo vuelva a enviar.",
    },
  },
  freshLinkTitle: "Recibir un enlace nuevo",
  freshLinkIntro: (p) =>
    `Escribe el correo electrónico con el que te uniste a ${p}. Si corresponde a una tarjeta, te enviaremos un enlace nuevo por correo.`,
  freshLinkButton: "Enviarme un enlace nuevo",
  passesUnavailable: {
    title: "Ahora mismo no se puede añadir tu tarjeta",
    text: "Las tarjetas para el móvil de la tienda no están disponibles en este momento. Tu tarjeta y tus puntos están a salvo: vuelve a probar este enlace más tarde.",
  },
  googleUnavailable: {
    title: "Google Wallet no está disponible en este momento",
    text: "No se ha podido añadir tu tarjeta a Google Wallet en este momento. Tu tarjeta y tus puntos están a salvo: vuelve a probar este enlace más tarde.",
  },
  tooManyAttemptsTitle: "Espera un momento",
  tooManyAttempts: (m) =>
    `Esta tarjeta se acaba de añadir varias veces seguidas. Tu tarjeta y tus puntos están a salvo: vuelve a intentarlo dentro de ${m <= 1 ? "un minuto" : `${m} minutos`}.`,
  myStores: {
    link: "Mis tiendas",
    linkHint: "Elige las tiendas que tu tarjeta muestra primero.",
    title: "Mis tiendas",
    pageTitle: (p) => `Mis tiendas - ${p}`,
    intro:
      "Tu tarjeta puede mostrar hasta 10 tiendas, para que el móvil te la recuerde cuando estés cerca de una. Marca tus favoritas y aparecerán primero.",
    legend: "Elige tus tiendas favoritas",
    limit: (m) => `Puedes elegir hasta ${m}. Tu tarjeta las muestra primero.`,
    chosenTitle: "Tu selección",
    noneChosen: "Todavía no has elegido ninguna tienda.",
    onCardTitle: "En tu tarjeta ahora",
    nearbyTitle: "Tiendas cercanas",
    foundTitle: (q) => `Tiendas que coinciden con «${q}»`,
    noneFound: (q, others) =>
      others ? `Ninguna otra tienda coincide con «${q}».` : `Ninguna tienda coincide con «${q}».`,
    moreFound: (n) =>
      `Solo se muestran las ${n} primeras tiendas: añade una palabra para afinar la búsqueda.`,
    noStores: "Todavía no hay tiendas para elegir.",
    searchLabel: "Buscar una tienda",
    searchHint: "Un nombre, una calle, una ciudad o un código postal",
    searchButton: "Buscar",
    clearSearch: "Borrar la búsqueda",
    save: "Guardar mis tiendas",
    saved: "Guardado. Tu tarjeta mostrará estas tiendas primero.",
    savedNone: "Guardado. Ya no tienes ninguna tienda favorita.",
    tooMany: (m) => `Elige como máximo ${m} tiendas`,
    unknownStore: "Elige tiendas de la lista: una de las que elegiste no es una tienda de este programa",
    backToCard: "Volver a mi tarjeta",
  },
};

/**
 * The pages' words by language. A Map, like card-text.ts: a language code that came from a request
 * must never find Object.prototype's properties.
 */
const WORDS: ReadonlyMap<Language, PageWords> = new Map<Language, PageWords>([
  ["en", en],
  ["fr", fr],
  ["de", de],
  ["es", es],
]);

/** The words of the pages in `lang` (English for a language Carnet does not have). */
export const wordsFor = (lang: Language): PageWords => WORDS.get(lang) ?? en;

/** Whole minutes to wait, at least one: what `retry-after` seconds mean to a person. */
export const minutesOf = (seconds: number): number =>
  Math.max(1, Math.ceil((Number.isFinite(seconds) ? seconds : 60) / 60));
