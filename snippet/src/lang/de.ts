// German texts in the order of `keys` in ../i18n.ts. The form loads this
// file as its own module; the first-load script takes only `button` and `retry`.

/** button is the label of the notify button, shown before any interaction. */
export const button = "Benachrichtigen, wenn verfügbar";

/**
 * retry tells a shopper whose press could not load the form (its files
 * failed) that pressing again tries again.
 */
export const retry = "Laden fehlgeschlagen. Erneut drücken.";

export default [
  button,
  "Benachrichtigung bei Verfügbarkeit",
  "E-Mail",
  "Telefonnummer",
  "Land",
  "Einmalige SMS, sobald der Artikel wieder da ist. Gebühren möglich. Abmelden mit STOP.",
  "Auch Neuigkeiten und Angebote erhalten",
  "Benachrichtigen",
  "Wird gesendet…",
  "Danke! Wir schicken Ihnen eine E-Mail, sobald der Artikel wieder da ist.",
  "Danke! Wir schicken Ihnen eine SMS, sobald der Artikel wieder da ist.",
  "Sie stehen für diesen Artikel bereits auf der Liste.",
  "Geben Sie eine E-Mail-Adresse oder Telefonnummer ein.",
  "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
  "Schließen",
  "Sehen Sie in Ihre E-Mails: Öffnen Sie den Link, den wir gerade gesendet haben, um Ihre Benachrichtigung zu bestätigen.",
  "Sehen Sie auf Ihr Telefon: Antworten Sie JA auf die SMS, die wir gerade gesendet haben, um Ihre Benachrichtigung zu bestätigen.",
  "Sehen Sie auf Ihr Telefon und in Ihre E-Mails: Bestätigen Sie Ihre Benachrichtigung über die SMS und die E-Mail, die wir gerade gesendet haben.",
  retry,
  "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@beispiel.de.",
  "Geben Sie eine gültige Mobilnummer ein: An diese Nummer können keine SMS gesendet werden.",
  "Setzen Sie das Häkchen, um SMS zu erhalten.",
  "Dieser Artikel ist wieder verfügbar oder nimmt keine Benachrichtigungen mehr an: Laden Sie die Seite neu.",
  "Zu viele Versuche. Bitte versuchen Sie es in einer Minute erneut.",
  "Eine Mobilnummer, die SMS empfangen kann, mit oder ohne Ländervorwahl.",
];
