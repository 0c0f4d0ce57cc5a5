// Built-in texts in English, French, German and Spanish. Every string can be
// overridden with configure({strings}) or a data-text-KEY attribute.

export interface Strings {
  button: string;
  title: string;
  email: string;
  phone: string;
  country: string;
  sms: string;
  marketing: string;
  submit: string;
  sending: string;
  done: string;
  doneSms: string;
  already: string;
  missing: string;
  error: string;
  close: string;
}

const keys = [
  "button", "title", "email", "phone", "country", "sms", "marketing", "submit",
  "sending", "done", "doneSms", "already", "missing", "error", "close",
] as const;

// Texts in the order of keys; kept as arrays so the bundle does not repeat
// the key names four times.
const texts: Record<string, string[]> = {
  en: [
    "Notify me when available",
    "Get notified when it's back",
    "Email",
    "Phone number",
    "Country",
    "Text me once when it's back in stock. Msg & data rates may apply. Reply STOP to opt out.",
    "Also send me news and offers",
    "Notify me",
    "Sending…",
    "Thanks! We'll email you when it's back.",
    "Thanks! We'll text you when it's back.",
    "You're already on the list for this item.",
    "Enter an email address or a phone number.",
    "Something went wrong. Please try again.",
    "Close",
  ],
  fr: [
    "M'avertir quand disponible",
    "Être averti du retour en stock",
    "E-mail",
    "Téléphone",
    "Pays",
    "J'accepte un SMS unique au retour en stock. Des frais peuvent s'appliquer. STOP pour se désabonner.",
    "Recevoir aussi les nouveautés et les offres",
    "M'avertir",
    "Envoi…",
    "Merci ! Nous vous enverrons un e-mail dès son retour.",
    "Merci ! Nous vous enverrons un SMS dès son retour.",
    "Vous êtes déjà inscrit pour cet article.",
    "Saisissez une adresse e-mail ou un numéro de téléphone.",
    "Une erreur est survenue. Veuillez réessayer.",
    "Fermer",
  ],
  de: [
    "Benachrichtigen, wenn verfügbar",
    "Benachrichtigung bei Verfügbarkeit",
    "E-Mail",
    "Telefonnummer",
    "Land",
    "Einmalige SMS, sobald der Artikel wieder da ist. Gebühren möglich. Abmelden mit STOP.",
    "Auch Neuigkeiten und Angebote erhalten",
    "Benachrichtigen",
    "Wird gesendet…",
    "Danke! Wir schicken Ihnen eine E-Mail, sobald er wieder da ist.",
    "Danke! Wir schicken Ihnen eine SMS, sobald er wieder da ist.",
    "Sie stehen für diesen Artikel bereits auf der Liste.",
    "Geben Sie eine E-Mail-Adresse oder Telefonnummer ein.",
    "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
    "Schließen",
  ],
  es: [
    "Avisarme cuando esté disponible",
    "Aviso de disponibilidad",
    "Correo electrónico",
    "Teléfono",
    "País",
    "Acepto un único SMS cuando vuelva a estar disponible. Pueden aplicarse tarifas. Baja: STOP.",
    "Enviarme también novedades y ofertas",
    "Avisarme",
    "Enviando…",
    "¡Gracias! Te enviaremos un correo cuando vuelva.",
    "¡Gracias! Te enviaremos un SMS cuando vuelva.",
    "Ya estás en la lista para este artículo.",
    "Introduce un correo electrónico o un número de teléfono.",
    "Algo salió mal. Inténtalo de nuevo.",
    "Cerrar",
  ],
};

/** language returns the built-in language for a locale tag ("fr-CA" → "fr"), English by default. */
export function language(tag: string): string {
  const lang = tag.slice(0, 2).toLowerCase();
  return texts[lang] ? lang : "en";
}

/** strings returns the texts for a locale tag with overrides applied. */
export function strings(tag: string, overrides: Partial<Strings>): Strings {
  const table = texts[language(tag)];
  const out = {} as Strings;
  keys.forEach((key, i) => (out[key] = overrides[key] || table[i]));
  return out;
}
