// French texts in the order of `keys` in ../i18n.ts. The form loads this
// file as its own module; the first-load script takes only `button` and `retry`.
// French puts a no-break space (\u00a0) before ":", ";", "!" and "?", so that
// a narrow line never starts with one; the texts address the shopper without
// a gender ("Vous avez déjà une alerte", not "déjà inscrit").

/** button is the label of the notify button, shown before any interaction. */
export const button = "M'avertir quand disponible";

/**
 * retry tells a shopper whose press could not load the form (its files
 * failed) that pressing again tries again.
 */
export const retry = "Échec du chargement. Appuyez pour réessayer.";

export default [
  button,
  "Alerte de retour en stock",
  "E-mail",
  "Téléphone",
  "Pays",
  "J'accepte un SMS unique au retour en stock. Des frais peuvent s'appliquer. STOP pour se désabonner.",
  "Recevoir aussi les nouveautés et les offres",
  "M'avertir",
  "Envoi…",
  "Merci\u00a0! Nous vous enverrons un e-mail dès son retour.",
  "Merci\u00a0! Nous vous enverrons un SMS dès son retour.",
  "Vous avez déjà une alerte pour cet article.",
  "Saisissez une adresse e-mail ou un numéro de téléphone.",
  "Une erreur est survenue. Veuillez réessayer.",
  "Fermer",
  "Consultez vos e-mails\u00a0: ouvrez le lien que nous venons d'envoyer pour confirmer votre alerte.",
  "Consultez votre téléphone\u00a0: répondez OUI au SMS que nous venons d'envoyer pour confirmer votre alerte.",
  "Consultez votre téléphone et vos e-mails\u00a0: confirmez votre alerte depuis le SMS et l'e-mail que nous venons d'envoyer.",
  retry,
  "Saisissez une adresse e-mail valide, comme nom@exemple.fr.",
  "Saisissez un numéro de mobile valide\u00a0: ce numéro ne peut pas recevoir de SMS.",
  "Cochez la case pour accepter de recevoir des SMS.",
  "Cet article est de nouveau disponible ou ne prend plus d'alertes\u00a0: rechargez la page.",
  "Trop de tentatives. Réessayez dans une minute.",
  "Un numéro de mobile qui reçoit les SMS, avec ou sans l'indicatif du pays.",
];
