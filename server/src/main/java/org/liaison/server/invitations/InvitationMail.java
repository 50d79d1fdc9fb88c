package org.liaison.server.invitations;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;
import java.util.Map;
import org.liaison.server.mail.Mailer;

/**
 * The invitation e-mail: plain text, in the invitation's language (English for the languages it is
 * not written in yet). It says who invites, into which city and organisation, the link and when it
 * stops working; nothing else about the network or the inviter.
 */
final class InvitationMail {
  private InvitationMail() {}

  /** Subject and body with {inviter}, {city}, {organisation}, {link} and {expiry}. */
  private record Text(String subject, String body) {}

  private static final Map<String, Text> TEXTS =
      Map.of(
          "en",
          new Text(
              "{inviter} invites you to Liaison",
              """
              Hello,

              {inviter} invites you to join Liaison, the secure workspace of the \
              prevention network, in {city} with {organisation}.

              Open this link to create your account:
              {link}

              The link works once, until {expiry}. Do not pass it on: whoever opens it first \
              can use it.

              If you did not expect this invitation, ignore this e-mail or tell {inviter}.
              """),
          "fr",
          new Text(
              "{inviter} vous invite sur Liaison",
              """
              Bonjour,

              {inviter} vous invite à rejoindre Liaison, l'espace de travail sécurisé du \
              réseau de prévention, à {city} avec {organisation}.

              Ouvrez ce lien pour créer votre compte :
              {link}

              Le lien ne fonctionne qu'une fois, jusqu'au {expiry}. Ne le transmettez pas : \
              la première personne qui l'ouvre peut l'utiliser.

              Si vous n'attendiez pas cette invitation, ignorez ce message ou prévenez \
              {inviter}.
              """),
          "ar",
          new Text(
              "{inviter} يدعوك إلى Liaison",
              """
              مرحبًا،

              يدعوك {inviter} للانضمام إلى Liaison، مساحة العمل الآمنة لشبكة الوقاية، في \
              {city} مع {organisation}.

              افتح هذا الرابط لإنشاء حسابك:
              {link}

              يعمل الرابط مرة واحدة فقط، حتى {expiry}. لا تُمرّره لأحد: من يفتحه أولًا \
              يستطيع استخدامه.

              إذا لم تكن تتوقع هذه الدعوة، فتجاهل هذه الرسالة أو أخبر {inviter}.
              """),
          "sq",
          new Text(
              "{inviter} ju fton në Liaison",
              """
              Përshëndetje,

              {inviter} ju fton t'i bashkoheni Liaison, hapësirës së sigurt të punës së \
              rrjetit të parandalimit, në {city} me {organisation}.

              Hapni këtë lidhje për të krijuar llogarinë tuaj:
              {link}

              Lidhja funksionon vetëm një herë, deri më {expiry}. Mos ia jepni askujt: \
              kushdo që e hap i pari mund ta përdorë.

              Nëse nuk e prisnit këtë ftesë, shpërfilleni këtë e-mail ose njoftoni {inviter}.
              """),
          "bs",
          new Text(
              "{inviter} vas poziva u Liaison",
              """
              Pozdrav,

              {inviter} vas poziva da se pridružite Liaisonu, sigurnom radnom prostoru \
              mreže za prevenciju, u gradu {city}, u organizaciji {organisation}.

              Otvorite ovaj link da napravite svoj račun:
              {link}

              Link radi samo jednom, do {expiry}. Ne prosljeđujte ga: ko ga prvi otvori, \
              može ga iskoristiti.

              Ako niste očekivali ovu pozivnicu, zanemarite ovaj e-mail ili javite {inviter}.
              """),
          "sr",
          new Text(
              "{inviter} vas poziva u Liaison",
              """
              Pozdrav,

              {inviter} vas poziva da se pridružite Liaisonu, bezbednom radnom prostoru \
              mreže za prevenciju, u gradu {city}, u organizaciji {organisation}.

              Otvorite ovaj link da napravite svoj nalog:
              {link}

              Link radi samo jednom, do {expiry}. Ne prosleđujte ga: ko ga prvi otvori, \
              može ga iskoristiti.

              Ako niste očekivali ovu pozivnicu, zanemarite ovaj e-mail ili javite {inviter}.
              """),
          "mk",
          new Text(
              "{inviter} ве покани во Liaison",
              """
              Здраво,

              {inviter} ве поканува да се приклучите на Liaison, безбедниот работен простор \
              на мрежата за превенција, во {city}, во {organisation}.

              Отворете ја оваа врска за да ја создадете вашата сметка:
              {link}

              Врската работи само еднаш, до {expiry}. Не ја препраќајте: кој прв ќе ја \
              отвори, може да ја искористи.

              Ако не ја очекувавте оваа покана, занемарете ја оваа е-пошта или известете \
              го {inviter}.
              """));

  /** The languages the e-mail is written in. */
  static boolean written(String language) {
    return language != null && TEXTS.containsKey(language);
  }

  static Mailer.Message compose(
      String language,
      String to,
      String inviter,
      String city,
      String organisation,
      String link,
      Instant expiresAt) {
    String lang = written(language) ? language : "en";
    Text text = TEXTS.get(lang);
    String expiry =
        DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM)
                .withLocale(Locale.forLanguageTag(lang))
                .withZone(ZoneOffset.UTC)
                .format(expiresAt)
            + " (UTC)";
    Map<String, String> values =
        Map.of(
            "{inviter}", inviter,
            "{city}", city,
            "{organisation}", organisation,
            "{link}", link,
            "{expiry}", expiry);
    return new Mailer.Message(to, fill(text.subject(), values), fill(text.body(), values));
  }

  /** One pass: a name that itself reads "{link}" stays as written. */
  private static String fill(String template, Map<String, String> values) {
    return java.util.regex.Pattern.compile("\\{[a-z]+\\}")
        .matcher(template)
        .replaceAll(
            m ->
                java.util.regex.Matcher.quoteReplacement(
                    values.getOrDefault(m.group(), m.group())));
  }
}
