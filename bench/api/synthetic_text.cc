#include "bench/api/synthetic_text.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace ct::bench {
namespace {

using Strings = std::span<const std::string_view>;

std::uint64_t SplitMix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// --- products ---------------------------------------------------------------------------------

constexpr std::array<std::string_view, kProductCount> kProductIds = {
    "vps",          "public_cloud", "bare_metal", "web_hosting", "domains_dns", "email",
    "object_storage", "kubernetes", "databases",  "billing",     "support",     "network"};

constexpr std::string_view kCatVps[] = {"outage", "performance", "data_loss", "broken"};
constexpr std::string_view kCatCloud[] = {"outage", "performance", "broken", "billing_error"};
constexpr std::string_view kCatMetal[] = {"outage", "broken", "data_loss", "performance"};
constexpr std::string_view kCatHosting[] = {"outage", "performance", "broken", "data_loss"};
constexpr std::string_view kCatDomains[] = {"broken", "billing_error", "cancellation", "outage"};
constexpr std::string_view kCatEmail[] = {"outage", "broken", "data_loss", "account_blocked"};
constexpr std::string_view kCatStorage[] = {"outage", "data_loss", "performance", "broken"};
constexpr std::string_view kCatK8s[] = {"outage", "broken", "performance"};
constexpr std::string_view kCatDb[] = {"outage", "data_loss", "performance", "broken"};
constexpr std::string_view kCatBilling[] = {"refund", "billing_error", "cancellation",
                                            "account_blocked"};
constexpr std::string_view kCatSupport[] = {"unanswered_ticket", "poor_support", "cancellation"};
constexpr std::string_view kCatNetwork[] = {"outage", "performance", "broken"};
constexpr std::array<Strings, kProductCount> kCategories = {
    kCatVps,     kCatCloud, kCatMetal, kCatHosting, kCatDomains, kCatEmail,
    kCatStorage, kCatK8s,   kCatDb,    kCatBilling, kCatSupport, kCatNetwork};

// Phrases naming each product, in kProductIds order.
constexpr std::string_view kEnProducts[kProductCount][5] = {
    {"my VPS", "our VPS Comfort", "the VPS Starter", "a VPS Elite", "my little VPS"},
    {"our Public Cloud instances", "a b2-15 instance", "the Public Cloud project",
     "our OpenStack instances", "a d2-8 instance"},
    {"my dedicated server", "our Rise-2 server", "the Kimsufi box", "an Advance-1 dedicated server",
     "our So you Start server"},
    {"my Perso web hosting", "the Pro hosting plan", "our shared hosting", "the WordPress hosting",
     "my web hosting"},
    {"my .fr domain", "the domain transfer", "our DNS zone", "the .com renewal",
     "DNSSEC on my domain"},
    {"my MX Plan mailbox", "our Exchange accounts", "the Zimbra mailbox", "our email redirections",
     "the Email Pro accounts"},
    {"our Object Storage bucket", "the S3-compatible storage", "a High Performance bucket",
     "our Cold Archive container", "the Swift container"},
    {"our Managed Kubernetes cluster", "the MKS cluster", "a node pool",
     "our Kubernetes load balancer", "the managed K8s control plane"},
    {"our managed PostgreSQL", "the Web Cloud Databases instance", "a managed MySQL cluster",
     "our MongoDB service", "the database replica"},
    {"the monthly invoice", "my billing account", "the prepaid credit", "the automatic renewal",
     "our last order"},
    {"the support team", "my support ticket", "customer service", "the premium support",
     "the help center"},
    {"the vRack", "our failover IPs", "the additional IP block", "the anti-DDoS protection",
     "the public bandwidth"}};

constexpr std::string_view kFrProducts[kProductCount][5] = {
    {"mon VPS", "notre VPS Comfort", "le VPS Starter", "un VPS Elite", "mon petit VPS"},
    {"nos instances Public Cloud", "une instance b2-15", "le projet Public Cloud",
     "nos instances OpenStack", "une instance d2-8"},
    {"mon serveur dédié", "notre serveur Rise-2", "la Kimsufi", "un dédié Advance-1",
     "notre serveur So you Start"},
    {"mon hébergement Perso", "l'offre d'hébergement Pro", "notre mutualisé",
     "l'hébergement WordPress", "mon hébergement web"},
    {"mon domaine en .fr", "le transfert de domaine", "notre zone DNS", "le renouvellement du .com",
     "le DNSSEC de mon domaine"},
    {"ma boîte MX Plan", "nos comptes Exchange", "la boîte Zimbra", "nos redirections mail",
     "les comptes Email Pro"},
    {"notre bucket Object Storage", "le stockage compatible S3", "un bucket High Performance",
     "notre conteneur Cold Archive", "le conteneur Swift"},
    {"notre cluster Kubernetes managé", "le cluster MKS", "un node pool",
     "notre load balancer Kubernetes", "le control plane K8s managé"},
    {"notre PostgreSQL managé", "l'instance Web Cloud Databases", "un cluster MySQL managé",
     "notre service MongoDB", "le réplica de la base"},
    {"la facture mensuelle", "mon compte de facturation", "le crédit prépayé",
     "le renouvellement automatique", "notre dernière commande"},
    {"le support", "mon ticket au support", "le service client", "le support premium",
     "le centre d'aide"},
    {"le vRack", "nos IP failover", "le bloc d'IP additionnelles", "la protection anti-DDoS",
     "la bande passante publique"}};

// --- shared slot values -------------------------------------------------------------------------

constexpr std::string_view kDatacenters[] = {
    "GRA7", "GRA11", "RBX8", "SBG5", "BHS6", "WAW1", "DE1 (Frankfurt)", "UK1 (London)",
    "SGP1", "SYD1", "LIM3", "Roubaix", "Gravelines", "Strasbourg", "Beauharnois", "Paris (EU-WEST-PAR)"};
constexpr std::string_view kEnCities[] = {"London", "Berlin", "Madrid", "New York", "Montreal",
                                          "Warsaw", "Dublin", "Amsterdam", "Toronto", "Sydney"};
constexpr std::string_view kFrCities[] = {"Paris", "Lyon", "Lille", "Bordeaux", "Nantes",
                                          "Toulouse", "Bruxelles", "Genève", "Montréal", "Casablanca"};
constexpr std::string_view kErrors[] = {
    "502 Bad Gateway", "503 Service Unavailable", "connection timed out", "ERR_CONNECTION_REFUSED",
    "SSL_ERROR_SYSCALL", "No route to host", "kernel panic", "I/O error on /dev/sda",
    "SMTP 550 relay denied", "Error 500", "quota exceeded", "NXDOMAIN"};
constexpr std::string_view kCompetitors[] = {"Hetzner", "Scaleway", "AWS", "DigitalOcean",
                                             "OVH's own Kimsufi", "Infomaniak", "Azure", "Linode"};
constexpr std::string_view kVersions[] = {"1.27", "1.28", "1.29", "1.30", "14", "15", "16",
                                          "8.0", "Debian 12", "Ubuntu 22.04", "Rocky 9"};

// --- EN sentence banks --------------------------------------------------------------------------

constexpr std::string_view kEnOpeners[] = {
    "I've been an OVHcloud customer for {y} years.",
    "We run {n} servers at OVHcloud, mostly in {dc}.",
    "Small business owner here, based in {city}.",
    "Posting this after a long night.",
    "Some context: we host a SaaS for about {n}00 customers on {p}.",
    "Freelance dev here, I manage sites for {n} clients.",
    "Long time lurker, first post.",
    "We moved from {comp} to OVHcloud {y} years ago to cut costs.",
    "Quick background: {p} hosts our production workload in {dc}.",
    "I manage the infrastructure of a small agency in {city}.",
};

constexpr std::string_view kEnClosers[] = {
    "Any advice welcome.", "Thanks in advance.", "Has anyone seen the same thing?",
    "I'll update this post if anything changes.", "Edit: still the same as of {time}.",
    "Is it just me?", "Happy to share more details.", "Cheers.",
    "TL;DR: {p}, {dc}, not happy.", "Let me know if you need logs.",
};

constexpr std::string_view kEnOutage[] = {
    "{p} in {dc} has been down for {h} hours now.",
    "Since {time} UTC everything behind {p} returns {err}.",
    "The status page still says all systems operational while {p} is clearly offline.",
    "This is the third outage this month on {p}, each one lasting more than {m} minutes.",
    "Our whole site went offline when {dc} lost power and nothing came back for {h} hours.",
    "Monitoring shows {p} unreachable from {city} and from {dc} since {time}.",
    "The incident on travaux.ovh.net was opened hours after our alerts fired.",
    "During the outage we lost about {amt} EUR of sales.",
};
constexpr std::string_view kEnDataLoss[] = {
    "After the intervention in {dc}, {p} came back with an empty disk.",
    "We lost {d} days of data because the automated backup of {p} silently failed.",
    "The snapshot of {p} we paid for cannot be restored: {err}.",
    "Files uploaded to {p} last week are simply gone.",
    "The RAID rebuild on {p} wiped the second disk and nobody warned us.",
};
constexpr std::string_view kEnPerformance[] = {
    "{p} has become painfully slow, page loads went from 200 ms to {n} seconds.",
    "Disk I/O on {p} drops to a few MB/s every evening around {time}.",
    "Latency from {city} to {dc} doubled after the last maintenance.",
    "CPU steal on {p} is constantly above {n}%, which makes it unusable.",
    "Packet loss between {dc} and {city} has been around {n}% all week.",
};
constexpr std::string_view kEnBroken[] = {
    "The control panel throws {err} whenever I try to manage {p}.",
    "Reinstalling {p} with {ver} fails halfway every single time.",
    "The API returns {err} for {p} although the manager shows it as active.",
    "Since the migration to the new manager, {p} settings cannot be saved.",
    "The KVM console for {p} never loads, so I cannot even debug it.",
    "The certificate on {p} expired and the automatic renewal is broken.",
};
constexpr std::string_view kEnRefund[] = {
    "I cancelled {p} within the trial period and I am still waiting for my refund of {amt} EUR.",
    "They promised a refund {d} days ago and nothing has arrived.",
    "Support keeps telling me the refund for ticket {tk} is being processed.",
    "I was charged {amt} EUR for a service that never worked and no refund is offered.",
};
constexpr std::string_view kEnBillingError[] = {
    "Invoice {inv} charged me twice for {p}.",
    "I was billed {amt} EUR for {p} after I had deleted it.",
    "The price of {p} went up by {n}% without any notice.",
    "My card was debited {amt} EUR for an order I never placed.",
    "The automatic renewal charged {p} for a full year instead of a month.",
};
constexpr std::string_view kEnCancellation[] = {
    "Cancelling {p} is nearly impossible, the button just redirects to a sales page.",
    "I asked to terminate {p} {d} days ago and it is still billed.",
    "The termination email for {p} never arrives, so I cannot confirm it.",
    "We are leaving for {comp} but cannot get {p} closed.",
};
constexpr std::string_view kEnAccountBlocked[] = {
    "My account was suspended without warning and {p} is locked.",
    "They blocked the account for a 'security check' and asked for ID documents {d} days ago.",
    "Access to {p} was cut because of an unpaid {amt} EUR invoice that was actually paid.",
    "The account is frozen and every email to support bounces back.",
};
constexpr std::string_view kEnUnanswered[] = {
    "Ticket {tk} has been open for {d} days without a single reply.",
    "Nobody answers the phone, I waited {m} minutes on hold before giving up.",
    "I opened three tickets about {p} and all of them were closed without an answer.",
    "The chatbot just loops back to the FAQ and no human ever picks up ticket {tk}.",
};
constexpr std::string_view kEnPoorSupport[] = {
    "The support agent clearly did not read my ticket and pasted a generic answer.",
    "Support asked me to reboot {p} for the fifth time, as if that would fix it.",
    "First-level support only forwards the issue and nothing happens for {d} days.",
    "I was told to buy premium support to get an answer about {p}.",
    "The replies on ticket {tk} are copy-pasted templates that contradict each other.",
};

constexpr std::string_view kEnComplaintGeneric[] = {
    "This is unacceptable for a provider of this size.",
    "Honestly I am done with OVHcloud after this.",
    "We are seriously considering moving everything to {comp}.",
    "The lack of communication is the worst part.",
    "For a production service this is just not acceptable.",
    "I would not recommend them to anyone running anything important.",
    "Cheap, yes, but you get what you pay for.",
    "Still no explanation and no compensation.",
};
constexpr std::string_view kEnNeutral[] = {
    "Has anyone managed to set up {p} with {ver}?",
    "What is the best way to move {p} from {dc} to another region?",
    "I am comparing {p} with the equivalent offer at {comp}.",
    "Is there a way to automate {p} with Terraform or the OVHcloud API?",
    "Which datacenter would you pick for users in {city}, {dc} or another one?",
    "The documentation for {p} mentions {ver} but the manager only offers older images.",
    "I need to attach {p} to the vRack, is downtime expected?",
    "We plan to order {n} more machines next quarter.",
    "How long does the provisioning of {p} usually take?",
    "I would like to hear real feedback on {p} before committing for a year.",
    "The price is {amt} EUR per month excluding VAT.",
    "Here is the output of mtr from {city} to {ip}.",
    "The server hostname is {host}, in case it helps.",
};
constexpr std::string_view kEnPositive[] = {
    "{p} has been rock solid for {y} years, not a single unplanned reboot.",
    "Support answered ticket {tk} in {m} minutes and fixed it right away.",
    "For {amt} EUR a month, {p} is incredible value.",
    "Latency from {city} to {dc} is excellent.",
    "The anti-DDoS saved us during an attack last week.",
    "Migration to {p} went smoothly, kudos to the team.",
    "Unmetered bandwidth is the reason we stay with OVHcloud.",
    "Really happy with {p} so far.",
};

constexpr std::string_view kEnTitlesComplaint[] = {
    "{p} down again", "Terrible experience with {p}", "OVHcloud outage in {dc}?",
    "Still waiting on support about {p}", "Avoid OVHcloud: {p} nightmare",
    "Problem with {p} since {time}", "Is OVHcloud {dc} having issues?",
    "Billing issue with {p}", "{p}: {err}", "Lost data on {p}",
};
constexpr std::string_view kEnTitlesNeutral[] = {
    "Question about {p}", "{p} vs {comp}?", "How to configure {p} with {ver}",
    "Moving {p} to {dc}", "Experience with {p}?", "OVHcloud pricing: {p}",
};
constexpr std::string_view kEnTitlesPositive[] = {
    "Happy with {p}", "{y} years on OVHcloud: a review", "Great support experience",
    "{p} is great value", "Why we moved to OVHcloud",
};
constexpr std::string_view kEnNewsTitles[] = {
    "OVHcloud hit by outage at {dc} datacenter", "OVHcloud reports revenue growth",
    "OVHcloud expands {p} offering", "OVHcloud opens new region near {city}",
    "Customers report problems with OVHcloud {p}", "OVHcloud raises prices on {p}",
};

// --- FR sentence banks --------------------------------------------------------------------------

constexpr std::string_view kFrOpeners[] = {
    "Client OVHcloud depuis {y} ans.",
    "Nous avons {n} serveurs chez OVHcloud, surtout à {dc}.",
    "Petite entreprise basée à {city}.",
    "Je poste ça après une nuit blanche.",
    "Pour le contexte, nous hébergeons un SaaS pour environ {n}00 clients sur {p}.",
    "Développeur freelance, je gère les sites de {n} clients.",
    "Je lis ce forum depuis longtemps, premier message.",
    "Nous sommes passés de {comp} à OVHcloud il y a {y} ans pour réduire les coûts.",
    "Pour info, {p} héberge notre production à {dc}.",
    "Je m'occupe de l'infra d'une petite agence à {city}.",
};
constexpr std::string_view kFrClosers[] = {
    "Merci d'avance pour vos retours.", "Quelqu'un a eu le même souci ?",
    "Je mettrai à jour ce message si ça bouge.", "Édit : toujours pareil à {time}.",
    "C'est moi ou bien ?", "Je peux fournir les logs si besoin.", "Bonne journée.",
    "Bref : {p}, {dc}, pas content.", "Toute aide est la bienvenue.",
};

constexpr std::string_view kFrOutage[] = {
    "{p} à {dc} est en panne depuis {h} heures.",
    "Depuis {time}, tout ce qui passe par {p} renvoie {err}.",
    "La page de statut indique que tout va bien alors que {p} est hors service.",
    "Troisième panne ce mois-ci sur {p}, à chaque fois plus de {m} minutes.",
    "Tout notre site est tombé quand {dc} a perdu l'alimentation, rien n'est revenu pendant {h} heures.",
    "La supervision montre {p} injoignable depuis {city} et depuis {dc} depuis {time}.",
    "L'incident sur travaux.ovh.net a été ouvert des heures après nos alertes.",
    "Pendant la coupure nous avons perdu environ {amt} EUR de ventes.",
};
constexpr std::string_view kFrDataLoss[] = {
    "Après l'intervention à {dc}, {p} est revenu avec un disque vide.",
    "Nous avons perdu {d} jours de données car la sauvegarde automatique de {p} échouait en silence.",
    "Le snapshot de {p} que nous payons ne peut pas être restauré : {err}.",
    "Les fichiers envoyés sur {p} la semaine dernière ont tout simplement disparu.",
    "La reconstruction du RAID sur {p} a effacé le second disque sans prévenir.",
};
constexpr std::string_view kFrPerformance[] = {
    "{p} est devenu d'une lenteur incroyable, les pages passent de 200 ms à {n} secondes.",
    "Les I/O disque sur {p} tombent à quelques Mo/s tous les soirs vers {time}.",
    "La latence entre {city} et {dc} a doublé depuis la dernière maintenance.",
    "Le CPU steal sur {p} dépasse constamment {n} %, c'est inutilisable.",
    "Environ {n} % de perte de paquets entre {dc} et {city} toute la semaine.",
};
constexpr std::string_view kFrBroken[] = {
    "L'espace client affiche {err} dès que j'essaie de gérer {p}.",
    "La réinstallation de {p} en {ver} plante à mi-chemin à chaque fois.",
    "L'API renvoie {err} pour {p} alors que le manager l'affiche comme actif.",
    "Depuis la migration vers le nouveau manager, impossible d'enregistrer les réglages de {p}.",
    "La console KVM de {p} ne se charge jamais, je ne peux même pas déboguer.",
    "Le certificat de {p} a expiré et le renouvellement automatique ne fonctionne pas.",
};
constexpr std::string_view kFrRefund[] = {
    "J'ai résilié {p} pendant la période d'essai et j'attends toujours mon remboursement de {amt} EUR.",
    "On m'a promis un remboursement il y a {d} jours et rien n'est arrivé.",
    "Le support me répond que le remboursement du ticket {tk} est en cours.",
    "On m'a facturé {amt} EUR pour un service qui n'a jamais marché, aucun remboursement proposé.",
};
constexpr std::string_view kFrBillingError[] = {
    "La facture {inv} m'a débité deux fois pour {p}.",
    "On m'a facturé {amt} EUR pour {p} alors que je l'avais supprimé.",
    "Le prix de {p} a augmenté de {n} % sans aucun préavis.",
    "Ma carte a été débitée de {amt} EUR pour une commande que je n'ai jamais passée.",
    "Le renouvellement automatique a facturé {p} pour un an au lieu d'un mois.",
};
constexpr std::string_view kFrCancellation[] = {
    "Résilier {p} est quasiment impossible, le bouton renvoie vers une page commerciale.",
    "J'ai demandé la résiliation de {p} il y a {d} jours et c'est toujours facturé.",
    "Le mail de confirmation de résiliation de {p} n'arrive jamais.",
    "Nous partons chez {comp} mais impossible de fermer {p}.",
};
constexpr std::string_view kFrAccountBlocked[] = {
    "Mon compte a été suspendu sans prévenir et {p} est bloqué.",
    "Compte bloqué pour une « vérification de sécurité », pièces d'identité envoyées il y a {d} jours.",
    "L'accès à {p} a été coupé pour une facture de {amt} EUR pourtant réglée.",
    "Le compte est gelé et tous les mails au support reviennent en erreur.",
};
constexpr std::string_view kFrUnanswered[] = {
    "Le ticket {tk} est ouvert depuis {d} jours sans la moindre réponse.",
    "Personne ne répond au téléphone, j'ai attendu {m} minutes avant d'abandonner.",
    "J'ai ouvert trois tickets sur {p}, tous fermés sans réponse.",
    "Le chatbot renvoie vers la FAQ et aucun humain ne prend le ticket {tk}.",
};
constexpr std::string_view kFrPoorSupport[] = {
    "Le technicien n'a visiblement pas lu mon ticket et a collé une réponse générique.",
    "Le support me demande de redémarrer {p} pour la cinquième fois.",
    "Le support niveau 1 transfère et il ne se passe rien pendant {d} jours.",
    "On me conseille de prendre le support premium pour avoir une réponse sur {p}.",
    "Les réponses au ticket {tk} sont des modèles copiés-collés qui se contredisent.",
};
constexpr std::string_view kFrComplaintGeneric[] = {
    "C'est inadmissible pour un hébergeur de cette taille.",
    "Franchement, après ça, j'arrête avec OVHcloud.",
    "Nous envisageons sérieusement de tout migrer chez {comp}.",
    "Le pire, c'est l'absence totale de communication.",
    "Pour un service de production, ce n'est pas acceptable.",
    "Je ne recommande à personne qui héberge quelque chose d'important.",
    "Pas cher, certes, mais on en a pour son argent.",
    "Toujours aucune explication ni geste commercial.",
};
constexpr std::string_view kFrNeutral[] = {
    "Quelqu'un a réussi à configurer {p} avec {ver} ?",
    "Quelle est la meilleure façon de déplacer {p} de {dc} vers une autre région ?",
    "Je compare {p} avec l'offre équivalente chez {comp}.",
    "Peut-on automatiser {p} avec Terraform ou l'API OVHcloud ?",
    "Pour des utilisateurs à {city}, vous prendriez {dc} ou un autre datacenter ?",
    "La documentation de {p} parle de {ver} mais le manager ne propose que d'anciennes images.",
    "Je dois rattacher {p} au vRack, faut-il prévoir une coupure ?",
    "Nous prévoyons de commander {n} machines de plus au prochain trimestre.",
    "Combien de temps prend en général la livraison de {p} ?",
    "J'aimerais de vrais retours sur {p} avant de m'engager pour un an.",
    "Le tarif est de {amt} EUR HT par mois.",
    "Voici la sortie de mtr depuis {city} vers {ip}.",
    "Le nom d'hôte du serveur est {host}, si ça peut aider.",
};
constexpr std::string_view kFrPositive[] = {
    "{p} tourne sans aucun souci depuis {y} ans, pas un seul redémarrage imprévu.",
    "Le support a répondu au ticket {tk} en {m} minutes et a tout réglé.",
    "Pour {amt} EUR par mois, {p} est imbattable.",
    "La latence entre {city} et {dc} est excellente.",
    "L'anti-DDoS nous a sauvés pendant une attaque la semaine dernière.",
    "La migration vers {p} s'est très bien passée, bravo à l'équipe.",
    "La bande passante illimitée, c'est pour ça qu'on reste chez OVHcloud.",
    "Vraiment satisfait de {p} jusqu'ici.",
};
constexpr std::string_view kFrTitlesComplaint[] = {
    "{p} encore en panne", "Expérience catastrophique avec {p}", "Panne OVHcloud à {dc} ?",
    "Toujours pas de réponse du support pour {p}", "Fuyez OVHcloud : le cauchemar {p}",
    "Problème avec {p} depuis {time}", "Souci chez OVHcloud à {dc} ?",
    "Problème de facturation sur {p}", "{p} : {err}", "Données perdues sur {p}",
};
constexpr std::string_view kFrTitlesNeutral[] = {
    "Question sur {p}", "{p} ou {comp} ?", "Configurer {p} avec {ver}",
    "Déplacer {p} vers {dc}", "Vos retours sur {p} ?", "Tarifs OVHcloud : {p}",
};
constexpr std::string_view kFrTitlesPositive[] = {
    "Satisfait de {p}", "{y} ans chez OVHcloud : mon avis", "Super expérience avec le support",
    "{p}, excellent rapport qualité-prix", "Pourquoi nous avons choisi OVHcloud",
};
constexpr std::string_view kFrNewsTitles[] = {
    "OVHcloud : panne dans le datacenter de {dc}", "OVHcloud annonce une hausse de son chiffre d'affaires",
    "OVHcloud étoffe son offre {p}", "OVHcloud ouvre une nouvelle région près de {city}",
    "Des clients signalent des problèmes avec {p} chez OVHcloud", "OVHcloud augmente le prix de {p}",
};

struct Bank {
  Strings openers, closers, complaint_generic, neutral, positive;
  Strings titles_complaint, titles_neutral, titles_positive, news_titles;
  Strings outage, data_loss, performance, broken, refund, billing_error, cancellation,
      account_blocked, unanswered, poor_support;
  Strings cities;
  const std::string_view (*products)[5];
};

const Bank kEn = {kEnOpeners,        kEnClosers,     kEnComplaintGeneric, kEnNeutral,
                  kEnPositive,       kEnTitlesComplaint, kEnTitlesNeutral, kEnTitlesPositive,
                  kEnNewsTitles,     kEnOutage,      kEnDataLoss,         kEnPerformance,
                  kEnBroken,         kEnRefund,      kEnBillingError,     kEnCancellation,
                  kEnAccountBlocked, kEnUnanswered,  kEnPoorSupport,      kEnCities,
                  kEnProducts};
const Bank kFr = {kFrOpeners,        kFrClosers,     kFrComplaintGeneric, kFrNeutral,
                  kFrPositive,       kFrTitlesComplaint, kFrTitlesNeutral, kFrTitlesPositive,
                  kFrNewsTitles,     kFrOutage,      kFrDataLoss,         kFrPerformance,
                  kFrBroken,         kFrRefund,      kFrBillingError,     kFrCancellation,
                  kFrAccountBlocked, kFrUnanswered,  kFrPoorSupport,      kFrCities,
                  kFrProducts};

Strings CategorySentences(const Bank& b, std::string_view category) {
  if (category == "outage") return b.outage;
  if (category == "data_loss") return b.data_loss;
  if (category == "performance") return b.performance;
  if (category == "refund") return b.refund;
  if (category == "billing_error") return b.billing_error;
  if (category == "cancellation") return b.cancellation;
  if (category == "account_blocked") return b.account_blocked;
  if (category == "unanswered_ticket") return b.unanswered;
  if (category == "poor_support") return b.poor_support;
  return b.broken;
}

void AppendInt(std::int64_t v, std::string& out) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  out.append(buf, static_cast<std::size_t>(n));
}

// Expands {slot}s of `tpl` into `out`. `product_phrase` is the phrase chosen for the post.
void Expand(std::string_view tpl, const Bank& b, std::string_view product_phrase, Rng& rng,
            std::string& out) {
  std::size_t i = 0;
  while (i < tpl.size()) {
    const std::size_t open = tpl.find('{', i);
    if (open == std::string_view::npos) {
      out.append(tpl.substr(i));
      return;
    }
    out.append(tpl.substr(i, open - i));
    const std::size_t close = tpl.find('}', open);
    const std::string_view slot = tpl.substr(open + 1, close - open - 1);
    i = close + 1;
    char buf[48];
    if (slot == "p") {
      out.append(product_phrase);
    } else if (slot == "dc") {
      out.append(rng.Pick(Strings(kDatacenters)));
    } else if (slot == "city") {
      out.append(rng.Pick(b.cities));
    } else if (slot == "err") {
      out.append(rng.Pick(Strings(kErrors)));
    } else if (slot == "comp") {
      out.append(rng.Pick(Strings(kCompetitors)));
    } else if (slot == "ver") {
      out.append(rng.Pick(Strings(kVersions)));
    } else if (slot == "h") {
      AppendInt(rng.Between(2, 72), out);
    } else if (slot == "d") {
      AppendInt(rng.Between(2, 45), out);
    } else if (slot == "m") {
      AppendInt(rng.Between(5, 95), out);
    } else if (slot == "n") {
      AppendInt(rng.Between(2, 40), out);
    } else if (slot == "y") {
      AppendInt(rng.Between(1, 15), out);
    } else if (slot == "amt") {
      int n = std::snprintf(buf, sizeof buf, "%lld.%02lld",
                            static_cast<long long>(rng.Between(3, 2400)),
                            static_cast<long long>(rng.Between(0, 99)));
      out.append(buf, static_cast<std::size_t>(n));
    } else if (slot == "tk") {
      int n = std::snprintf(buf, sizeof buf, "CS%07lld",
                            static_cast<long long>(rng.Between(1000000, 9999999)));
      out.append(buf, static_cast<std::size_t>(n));
    } else if (slot == "inv") {
      int n = std::snprintf(buf, sizeof buf, "FR%08lld",
                            static_cast<long long>(rng.Between(10000000, 99999999)));
      out.append(buf, static_cast<std::size_t>(n));
    } else if (slot == "ip") {
      int n = std::snprintf(buf, sizeof buf, "%s.%lld.%lld.%lld",
                            rng.Chance(0.5) ? "51" : (rng.Chance(0.5) ? "54" : "145"),
                            static_cast<long long>(rng.Between(0, 255)),
                            static_cast<long long>(rng.Between(0, 255)),
                            static_cast<long long>(rng.Between(1, 254)));
      out.append(buf, static_cast<std::size_t>(n));
    } else if (slot == "host") {
      int n = std::snprintf(buf, sizeof buf, "vps-%08llx.vps.ovh.net",
                            static_cast<unsigned long long>(rng.Next() & 0xffffffffULL));
      out.append(buf, static_cast<std::size_t>(n));
    } else if (slot == "time") {
      int n = std::snprintf(buf, sizeof buf, "%02lld:%02lld",
                            static_cast<long long>(rng.Between(0, 23)),
                            static_cast<long long>(rng.Between(0, 59)));
      out.append(buf, static_cast<std::size_t>(n));
    } else {
      out.append(slot);  // unknown slot: a template bug, visible in the output
    }
  }
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// French elision and contraction where a slot put "de"/"à" before an article.
void FixFrench(std::string& s) {
  static constexpr std::pair<std::string_view, std::string_view> kRules[] = {
      {" de le ", " du "}, {" de les ", " des "}, {" à le ", " au "}, {" à les ", " aux "},
      {" de un ", " d'un "}, {" de une ", " d'une "}, {" que un ", " qu'un "}};
  for (const auto& [from, to] : kRules) ReplaceAll(s, from, to);
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (auto& s : s_) s = SplitMix64(seed);
}

std::uint64_t Rng::Next() {
  const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::Below(std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

std::int64_t Rng::Between(std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo + 1)));
}

double Rng::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::string_view ProductId(int product) { return kProductIds[product]; }

std::span<const std::string_view> ComplaintCategories(int product) {
  return kCategories[product];
}

void GenerateText(const TextSpec& spec, Rng& rng, std::string& title, std::string& content) {
  const Bank& b = spec.lang == Lang::kFr ? kFr : kEn;
  const std::string_view phrase = b.products[spec.product][rng.Below(5)];

  // Title, in the style of the source.
  if (spec.source == "google_news") {
    Expand(rng.Pick(b.news_titles), b, phrase, rng, title);
  } else if (spec.source == "hackernews" && rng.Chance(0.4)) {
    title += "Ask HN: ";
    Expand(rng.Pick(spec.tone == Tone::kComplaint ? b.titles_complaint : b.titles_neutral), b,
           phrase, rng, title);
  } else if (spec.source != "mastodon") {
    const Strings titles = spec.tone == Tone::kComplaint ? b.titles_complaint
                           : spec.tone == Tone::kPositive ? b.titles_positive
                                                          : b.titles_neutral;
    Expand(rng.Pick(titles), b, phrase, rng, title);
  }
  if (!title.empty() && title[0] >= 'a' && title[0] <= 'z') title[0] = static_cast<char>(title[0] - 32);

  // Content: opener, body sentences until the target length, closer. Never above 1500 bytes.
  constexpr std::size_t kMax = 1500;
  std::string sentence;
  std::array<const std::string_view*, 24> used{};  // templates already in this post
  std::size_t used_count = 0;
  auto add = [&](Strings bank) {
    const std::string_view* tpl = &bank[rng.Below(bank.size())];
    for (int tries = 0; tries < 4; ++tries) {
      if (std::find(used.begin(), used.begin() + used_count, tpl) == used.begin() + used_count)
        break;
      tpl = &bank[rng.Below(bank.size())];
    }
    if (used_count < used.size()) used[used_count++] = tpl;
    sentence.clear();
    Expand(*tpl, b, phrase, rng, sentence);
    if (spec.lang == Lang::kFr) FixFrench(sentence);
    if (!sentence.empty() && sentence[0] >= 'a' && sentence[0] <= 'z')
      sentence[0] = static_cast<char>(sentence[0] - 32);
    if (content.size() + sentence.size() + 1 > kMax) return false;
    if (!content.empty()) content += ' ';
    content += sentence;
    return true;
  };
  const std::size_t target = static_cast<std::size_t>(spec.target_length);
  if (target > 250 && rng.Chance(0.6)) add(b.openers);
  const Strings cat = CategorySentences(b, spec.category);
  while (content.size() < target) {
    bool ok = true;
    if (spec.tone == Tone::kComplaint) {
      const double r = rng.Unit();
      ok = add(r < 0.6 ? cat : r < 0.8 ? b.complaint_generic : b.neutral);
    } else if (spec.tone == Tone::kPositive) {
      ok = add(rng.Chance(0.7) ? b.positive : b.neutral);
    } else {
      ok = add(rng.Chance(0.85) ? b.neutral : b.positive);
    }
    if (!ok && content.size() >= 100) break;
  }
  if (target > 200 && rng.Chance(0.4)) add(b.closers);
  if (spec.lang == Lang::kFr) FixFrench(title);
}

void GenerateAuthor(std::string_view source, Lang lang, Rng& rng, std::string& out) {
  static constexpr std::string_view kEnNews[] = {"The Register", "DatacenterDynamics", "ZDNet",
                                                 "TechCrunch", "Reuters", "Bloomberg"};
  static constexpr std::string_view kFrNews[] = {"Le Monde Informatique", "LeMagIT", "Silicon.fr",
                                                 "Les Echos", "BFM Business", "ZDNet France",
                                                 "L'Informé"};
  static constexpr std::string_view kFirst[] = {
      "alex", "sam", "julien", "marie", "thomas", "camille", "nico", "lea", "kevin", "sarah",
      "pierre", "emma", "lucas", "chloe", "max", "anna", "tom", "ines", "hugo", "jade"};
  static constexpr std::string_view kLast[] = {
      "martin", "bernard", "dubois", "smith", "jones", "moreau", "laurent", "nowak", "muller",
      "garcia", "petit", "roux", "taylor", "brown", "fontaine", "leroy"};
  static constexpr std::string_view kSuffix[] = {"dev", "ops", "sysadmin", "admin", "_fr", "42",
                                                 "_", "x", "hosting", "cloud"};
  if (source == "google_news") {
    out += lang == Lang::kFr ? rng.Pick(Strings(kFrNews)) : rng.Pick(Strings(kEnNews));
    return;
  }
  const std::string_view first = rng.Pick(Strings(kFirst));
  const std::string_view last = rng.Pick(Strings(kLast));
  if (source == "trustpilot" || source == "rss") {  // display names
    out += static_cast<char>(first[0] - 32);
    out += first.substr(1);
    out += ' ';
    out += static_cast<char>(last[0] - 32);
    out += '.';
    return;
  }
  out += first;
  if (rng.Chance(0.5)) out += rng.Chance(0.5) ? "_" : ".";
  out += rng.Chance(0.5) ? last : rng.Pick(Strings(kSuffix));
  if (rng.Chance(0.4)) AppendInt(rng.Between(1, 999), out);
}

}  // namespace ct::bench
