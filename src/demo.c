/* demo.c — `labshare demo`: a realistic catalogue for the Kraków cluster,
 * demo accounts and (through demo_bookings) a few months of bookings.
 *
 * The data is a fixed table: no randomness, so two runs give the same
 * catalogue (only created/updated and the blackouts placed relative to
 * "next Monday" depend on the day it runs). Real places of the strategy's
 * seeds keep their figures (JCI's 1,770 m² of labs, IKiFP PAN 1,270 m² + ~400 m² of the
 * biorefinery hall, URK 166 m², Browin 199.4 m², a ~3,000 m² therapeutics
 * company); instrument power draws follow METHODS.md's table. Everything
 * goes through catalogue.c, so the demo obeys the same validation as the
 * API. Every demo account shares one password, printed at the end. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "catalogue.h"
#include "cli.h"
#include "db.h"
#include "timeutil.h"

#define DEMO_PASSWORD "lifescience-demo"

static const char SQL_HAS_ORGS[] = "SELECT count(*) FROM organisations";

/* ------------------------------------------------------------------ */
/* The tables                                                           */

struct demo_org {
    const char *slug;
    const char *name, *short_name, *group, *package;
    int member;
    const char *city, *website, *description;
};

static const struct demo_org ORGS[] = {
    {"jci", "Jagiellońskie Centrum Innowacji", "JCI", "BIZ", "gold", 1, "Kraków",
     "https://www.jci.pl",
     "Spółka Uniwersytetu Jagiellońskiego prowadząca LifeScience Park: trzy połączone budynki, "
     "20 000 m², laboratoria komercyjne i badania kontraktowe (1 770 m² + 6 300 m²)."},
    {"uj", "Uniwersytet Jagielloński — Wydział Biochemii, Biofizyki i Biotechnologii", "UJ WBBiB",
     "EDU", "gold", 1, "Kraków", "https://www.wbbib.uj.edu.pl",
     "Kampus 600-lecia Odnowienia UJ: pracownie cytometrii, genomiki i sale dydaktyczne."},
    {"ikifp", "Instytut Katalizy i Fizykochemii Powierzchni im. Jerzego Habera PAN", "IKiFP PAN",
     "R&D", "silver", 1, "Kraków", "https://www.ikifp.edu.pl",
     "1 270 m² laboratoriów oraz hala biorafinerii 600 m², z czego około 400 m² to przestrzeń "
     "laboratoryjna. Mikroskopia elektronowa, kataliza, biorafinacja."},
    {"urk", "Uniwersytet Rolniczy im. Hugona Kołłątaja w Krakowie", "URK", "EDU", "standard", 1,
     "Kraków", "https://urk.edu.pl", "Laboratorium biotechnologii żywności (166 m²)."},
    {"browin", "Browin sp. z o.o.", "Browin", "BioF", "standard", 1, "Łódź", "https://browin.pl",
     "Producent akcesoriów do domowego przetwórstwa i fermentacji; laboratorium kontroli jakości "
     "199,4 m²."},
    {"vistula", "Vistula Therapeutics S.A.", "Vistula Tx", "BioF", "gold", 1, "Kraków", NULL,
     "Spółka odkrywania leków małocząsteczkowych: chemia medyczna, przesiewanie HTS i DMPK, "
     "około 3 000 m² laboratoriów."},
    {"lsg", "Life Science Garage", "LSG", "BIZ", "standard", 1, "Kraków", NULL,
     "Przestrzeń coworkingowa dla biohakerów (DIY bio) z wyposażonym laboratorium BSL-1."},
    {"su", "Szpital Uniwersytecki w Krakowie", "SU", "MED", "silver", 1, "Kraków",
     "https://www.su.krakow.pl",
     "Diagnostyka molekularna i Centrum Symulacji Medycznej w nowej siedzibie w Prokocimiu."},
    {"diag", "Centrum Diagnostyki Genetycznej GenoMed", "GenoMed", "MED", "standard", 1, "Kraków",
     NULL, "Laboratorium diagnostyki genetycznej i sekwencjonowania klinicznego."},
    {"umk", "Urząd Miasta Krakowa — Wydział Rozwoju Miasta", "UMK", "GOV", "none", 1, "Kraków",
     "https://www.krakow.pl", "Centrum Obsługi Inwestora: sale spotkań dla projektów klastra."},
    {"umwm", "Urząd Marszałkowski Województwa Małopolskiego", "UMWM", "GOV", "none", 1, "Kraków",
     "https://www.malopolska.pl", "Małopolskie Centrum Przedsiębiorczości: sale konferencyjne."},
    {"fklsk", "Fundacja Klaster LifeScience Kraków", "Klaster LSK", "BIZ", "none", 1, "Kraków",
     "https://www.lifescience.pl", "Koordynator klastra: biuro, szkolenia, doradztwo grantowe."},
    {"kpt", "Krakowski Park Technologiczny", "KPT", "BIZ", "silver", 1, "Kraków",
     "https://www.kpt.krakow.pl", "Inkubator technologiczny ze strefą coworkingową."},
    {"lukasiewicz", "Sieć Badawcza Łukasiewicz — Krakowski Instytut Technologiczny",
     "Łukasiewicz-KIT", "R&D", "standard", 1, "Kraków", "https://kit.lukasiewicz.gov.pl",
     "Analizy materiałowe: XRF, XRD, mikroskopia elektronowa."},
    {"ifpan", "Instytut Farmakologii im. Jerzego Maja PAN", "IF PAN", "R&D", "silver", 1, "Kraków",
     "https://if-pan.krakow.pl", "Proteomika, spektrometria mas i mikroskopia."},
    {"pk", "Politechnika Krakowska — Wydział Inżynierii i Technologii Chemicznej", "PK WIiTCh",
     "EDU", "standard", 1, "Kraków", "https://www.pk.edu.pl",
     "Laboratoria dydaktyczne chemii i pracownia bioprocesów."},
    {"biostart", "BioStart Kraków sp. z o.o.", "BioStart", "BioF", "none", 0, "Kraków", NULL,
     "Startup biotechnologiczny spoza klastra, najemca laboratorium w LifeScience Park."},
};

enum { LAB_ENERGY_DEFAULT = -1 };

struct demo_lab {
    const char *key, *org;
    const char *name, *kind;
    double area_m2;
    double energy; /* LAB_ENERGY_DEFAULT = null, the default for the kind */
    const char *building, *address;
    int biosafety_level;
    const char *description;
};

#define LSP "ul. Bobrzyńskiego 14, 30-348 Kraków"
#define UJ_ADDR "ul. Gronostajowa 7, 30-387 Kraków"
#define IK_ADDR "ul. Niezapominajek 8, 30-239 Kraków"

static const struct demo_lab LABS[] = {
    {"jci-mol", "jci", "Laboratorium Biologii Molekularnej LSP", "commercial", 620, 410,
     "LifeScience Park, budynek A", LSP, 2,
     "Laboratorium BSL-2: sekwencjonowanie, PCR, hodowle bakteryjne. Zużycie energii z licznika."},
    {"jci-mic", "jci", "Pracownia Mikroskopii i Obrazowania LSP", "commercial", 240,
     LAB_ENERGY_DEFAULT, "LifeScience Park, budynek B", LSP, 1,
     "Mikroskopia konfokalna i fluorescencyjna, stacje analizy obrazu."},
    {"jci-ms", "jci", "Laboratorium Analityki Chemicznej LSP (LC-MS)", "commercial", 460, 520,
     "LifeScience Park, budynek B", LSP, 1,
     "Spektrometria mas i chromatografia; pompy próżniowe pracują całą dobę."},
    {"jci-cell", "jci", "Pracownia Hodowli Komórkowych BSL-2 LSP", "commercial", 450,
     LAB_ENERGY_DEFAULT, "LifeScience Park, budynek A", LSP, 2,
     "Hodowle komórek ssaczych, komory laminarne klasy II, inkubatory CO₂."},
    {"jci-conf", "jci", "Centrum Konferencyjne LifeScience Park", "office", 600, LAB_ENERGY_DEFAULT,
     "LifeScience Park, budynek C", LSP, 0, "Sale seminaryjne i sale spotkań."},
    {"jci-cowork", "jci", "LSP Cowork — strefa hot desk", "coworking", 300, LAB_ENERGY_DEFAULT,
     "LifeScience Park, budynek C", LSP, 0, "Biurka rezerwowane na godziny, bez zatwierdzania."},
    {"uj-flow", "uj", "Pracownia Cytometrii Przepływowej", "scientific", 90, LAB_ENERGY_DEFAULT,
     "Kampus 600-lecia, budynek WBBiB", UJ_ADDR, 2, "Cytometria analityczna i sortowanie komórek."},
    {"uj-teach", "uj", "Pracownia Dydaktyczna Biologii Molekularnej", "teaching", 140,
     LAB_ENERGY_DEFAULT, "Kampus 600-lecia, budynek WBBiB", UJ_ADDR, 1,
     "Sala ćwiczeń na 24 stanowiska, dostępna poza zajęciami."},
    {"uj-gen", "uj", "Laboratorium Genomiki", "scientific", 120, LAB_ENERGY_DEFAULT,
     "Kampus 600-lecia, budynek WBBiB", UJ_ADDR, 1, "Sekwencjonowanie długich odczytów, PCR."},
    {"ik-em", "ikifp", "Pracownia Mikroskopii Elektronowej i Spektroskopii", "scientific", 520,
     LAB_ENERGY_DEFAULT, "Budynek główny IKiFP", IK_ADDR, 0,
     "SEM, TEM, XRD i spektroskopia w podczerwieni."},
    {"ik-cat", "ikifp", "Pracownia Katalizy i Chromatografii", "scientific", 750,
     LAB_ENERGY_DEFAULT, "Budynek główny IKiFP", IK_ADDR, 0,
     "Synteza i testy katalizatorów, analizy BET, GC-MS."},
    {"ik-bio", "ikifp", "Hala Biorafinerii — część laboratoryjna", "scientific", 400, 240,
     "Hala biorafinerii (600 m²)", IK_ADDR, 1,
     "Z 600 m² hali około 400 m² to przestrzeń laboratoryjna: bioreaktory i skala pilotażowa."},
    {"urk-food", "urk", "Laboratorium Biotechnologii Żywności", "scientific", 166,
     LAB_ENERGY_DEFAULT, "Wydział Technologii Żywności", "ul. Balicka 122, 30-149 Kraków", 1,
     "Mikrobiologia i analizy fizykochemiczne żywności."},
    {"browin-qc", "browin", "Laboratorium Kontroli Jakości i Fermentacji", "commercial", 199.4,
     LAB_ENERGY_DEFAULT, NULL, "ul. Pryncypalna 129/141, 93-373 Łódź", 1,
     "Kontrola jakości i badania procesów fermentacji."},
    {"vt-chem", "vistula", "Laboratorium Chemii Medycznej", "commercial", 1200, LAB_ENERGY_DEFAULT,
     "Bonarka Business Park, budynek D", "ul. Puławskiego 2, 30-516 Kraków", 0,
     "Synteza, oczyszczanie i analiza związków."},
    {"vt-hts", "vistula", "Laboratorium Biologii Komórki i Przesiewu HTS", "commercial", 1100,
     LAB_ENERGY_DEFAULT, "Bonarka Business Park, budynek D", "ul. Puławskiego 2, 30-516 Kraków", 2,
     "Przesiewanie wysokoprzepustowe i obrazowanie komórek."},
    {"vt-dmpk", "vistula", "Laboratorium DMPK i Bioanalityki", "commercial", 700,
     LAB_ENERGY_DEFAULT, "Bonarka Business Park, budynek D", "ul. Puławskiego 2, 30-516 Kraków", 1,
     "Metabolizm i farmakokinetyka in vitro, bioanalityka LC-MS/MS."},
    {"lsg-lab", "lsg", "Garage Lab — otwarte laboratorium BSL-1", "commercial", 85,
     LAB_ENERGY_DEFAULT, NULL, "ul. Zabłocie 23, 30-701 Kraków", 1,
     "Laboratorium dla biohakerów po szkoleniu wprowadzającym."},
    {"lsg-cowork", "lsg", "Life Science Garage — strefa coworkingowa", "coworking", 160,
     LAB_ENERGY_DEFAULT, NULL, "ul. Zabłocie 23, 30-701 Kraków", 0, "Biurka i sala warsztatowa."},
    {"su-mol", "su", "Zakład Diagnostyki — Pracownia Biologii Molekularnej", "scientific", 240,
     LAB_ENERGY_DEFAULT, "Budynek K", "ul. Jakubowskiego 2, 30-688 Kraków", 2,
     "Diagnostyka molekularna; sekwenator zarezerwowany dla diagnostyki szpitalnej."},
    {"su-sim", "su", "Centrum Symulacji Medycznej", "teaching", 300, LAB_ENERGY_DEFAULT,
     "Budynek D", "ul. Jakubowskiego 2, 30-688 Kraków", 0, "Sale symulacji i sala wykładowa."},
    {"diag-gen", "diag", "Laboratorium Genetyki Medycznej", "commercial", 260, LAB_ENERGY_DEFAULT,
     NULL, "ul. Wadowicka 6, 30-415 Kraków", 2, "Sekwencjonowanie kliniczne i izolacja DNA/RNA."},
    {"umk-office", "umk", "Centrum Obsługi Inwestora", "office", 120, LAB_ENERGY_DEFAULT,
     "Magistrat", "pl. Wszystkich Świętych 3-4, 31-004 Kraków", 0, "Sale spotkań."},
    {"umwm-office", "umwm", "Małopolskie Centrum Przedsiębiorczości", "office", 200,
     LAB_ENERGY_DEFAULT, NULL, "ul. Jasnogórska 11, 31-358 Kraków", 0, "Sala konferencyjna."},
    {"fklsk-office", "fklsk", "Biuro Klastra", "office", 80, LAB_ENERGY_DEFAULT,
     "LifeScience Park, budynek C", LSP, 0, "Sala szkoleniowa i biurko gościnne."},
    {"kpt-cowork", "kpt", "Inkubator Technologiczny KPT — coworking", "coworking", 400,
     LAB_ENERGY_DEFAULT, NULL, "ul. Podole 60, 30-394 Kraków", 0,
     "Strefa coworkingowa i sale spotkań inkubatora."},
    {"luk-mat", "lukasiewicz", "Laboratorium Analiz Materiałowych", "scientific", 350,
     LAB_ENERGY_DEFAULT, NULL, "ul. Zakopiańska 73, 30-418 Kraków", 0,
     "XRF, SEM stołowy, przygotowanie próbek."},
    {"if-prot", "ifpan", "Laboratorium Proteomiki i Spektrometrii Mas", "scientific", 210,
     LAB_ENERGY_DEFAULT, NULL, "ul. Smętna 12, 31-343 Kraków", 1,
     "Identyfikacja i ilościowe oznaczanie białek."},
    {"if-conf", "ifpan", "Pracownia Mikroskopii Konfokalnej IF PAN", "scientific", 95,
     LAB_ENERGY_DEFAULT, NULL, "ul. Smętna 12, 31-343 Kraków", 1,
     "Mikroskopia konfokalna i dwufotonowa tkanek."},
    {"pk-teach", "pk", "Laboratorium Dydaktyczne Chemii Analitycznej", "teaching", 180,
     LAB_ENERGY_DEFAULT, NULL, "ul. Warszawska 24, 31-155 Kraków", 0,
     "Dostępne dla klastra poza zajęciami."},
    {"pk-bio", "pk", "Pracownia Bioprocesów", "scientific", 130, LAB_ENERGY_DEFAULT, NULL,
     "ul. Warszawska 24, 31-155 Kraków", 1, "Bioreaktory laboratoryjne i wirówki."},
    {"bs-lab", "biostart", "Laboratorium startupowe BioStart", "commercial", 45, LAB_ENERGY_DEFAULT,
     "LifeScience Park, budynek A", LSP, 1, "Małe laboratorium najemcy."},
};

/* Opening hours presets. */
enum hours_preset {
    H_WORK,   /* Mon–Fri 08:00–18:00 (the API default) */
    H_24_7,   /* every day, all day */
    H_EXT,    /* Mon–Fri 07:00–21:00, Sat 09:00–15:00 */
    H_OFFICE, /* Mon–Fri 08:00–16:00 */
    H_COWORK, /* Mon–Fri 07:00–22:00, Sat–Sun 09:00–18:00 */
    H_HOSP,   /* Mon–Fri 07:30–15:30 */
    H_TEACH,  /* Mon–Fri 16:00–20:00, Sat 08:00–16:00: outside classes */
};

struct demo_res {
    const char *lab, *type, *name, *category;
    int shared, approval, training;
    double power_kw, standby_kw;
    int slot, min, max;
    enum hours_preset hours;
    const char *description;
};

/* METHODS.md's defaults: ULT freezer 0.63 kW (15 kWh/day), autoclave 15
 * kWh/day, PCR 0.113 kWh per run, biosafety cabinet 0.3 kW, confocal 1.0 kW
 * (0.1 standby), LC-MS/MS 2.0 kW, NGS 2.5 kW. Others are estimates. */
#define DAY 1440
static const struct demo_res RESOURCES[] = {
    /* JCI — molecular biology, BSL-2 */
    {"jci-mol", "instrument", "Sekwenator NGS Illumina NextSeq 2000", "NGS sequencer", 1, 1, 1, 2.5,
     0.3, 60, 120, 2880, H_24_7,
     "Sekwencjonowanie nowej generacji, przebiegi do 48 h. Wymagane szkolenie operatora."},
    {"jci-mol", "instrument", "Termocykler PCR Bio-Rad C1000 Touch (1)", "PCR cycler", 1, 0, 0,
     0.08, 0.005, 30, 30, 480, H_EXT, "Około 0,113 kWh na cykl. Rezerwacja bez zatwierdzania."},
    {"jci-mol", "instrument", "Termocykler PCR Bio-Rad C1000 Touch (2)", "PCR cycler", 1, 0, 0,
     0.08, 0.005, 30, 30, 480, H_EXT, "Około 0,113 kWh na cykl. Rezerwacja bez zatwierdzania."},
    {"jci-mol", "instrument", "System qPCR Roche LightCycler 480 II", "real-time PCR", 1, 1, 0, 0.4,
     0.02, 30, 60, 480, H_EXT, "PCR w czasie rzeczywistym, płytki 96 i 384."},
    {"jci-mol", "instrument", "Komora laminarna klasy II Thermo Herasafe 2030i",
     "biosafety cabinet", 1, 1, 0, 0.3, 0.02, 30, 60, 240, H_WORK,
     "Komora bezpieczeństwa biologicznego klasy II."},
    {"jci-mol", "room", "Pomieszczenie BSL-2 nr 1.14", "BSL-2 room", 1, 1, 1, 1.5, 0.8, 60, 60, 600,
     H_EXT, "Pomieszczenie o poziomie bezpieczeństwa biologicznego 2 (BSL-2), śluza, autoklaw."},
    {"jci-mol", "instrument", "Zamrażarka −80 °C Thermo TSX (półka)", "ULT freezer −80 °C", 1, 1, 0,
     0.63, 0.63, DAY, DAY, 90 * DAY, H_24_7,
     "Wynajem półki w zamrażarce niskotemperaturowej, 15 kWh/dobę."},
    /* JCI — microscopy */
    {"jci-mic", "instrument", "Mikroskop konfokalny Zeiss LSM 900 z Airyscan",
     "confocal microscope", 1, 1, 1, 1.0, 0.1, 60, 60, 480, H_EXT,
     "Konfokalny mikroskop skaningowy z detektorem Airyscan 2, lasery 405/488/561/640 nm."},
    {"jci-mic", "instrument", "Mikroskop konfokalny Leica Stellaris 5", "confocal microscope", 1, 1,
     1, 1.0, 0.1, 30, 60, 480, H_WORK, "Konfokalny mikroskop z laserem światła białego."},
    {"jci-mic", "instrument", "Mikroskop fluorescencyjny Nikon Eclipse Ti2",
     "fluorescence microscope", 1, 1, 0, 0.4, 0.05, 30, 30, 480, H_EXT,
     "Odwrócony mikroskop szerokiego pola, time-lapse."},
    {"jci-mic", "instrument", "Stacja analizy obrazu (Imaris, arivis)",
     "image analysis workstation", 1, 0, 0, 0.3, 0.05, 60, 60, 600, H_EXT,
     "Stacja robocza z licencjami Imaris i arivis."},
    /* JCI — chemical analytics */
    {"jci-ms", "instrument", "Spektrometr mas LC-MS/MS Sciex QTRAP 6500+", "LC-MS/MS", 1, 1, 1, 2.0,
     1.5, 60, 120, 1440, H_24_7, "Ilościowa analiza metabolitów i leków; próżnia pracuje 24/7."},
    {"jci-ms", "instrument", "Spektrometr Orbitrap Thermo Exploris 240 (LC-HRMS)", "LC-MS/MS", 0, 1,
     1, 2.2, 1.6, 60, 120, 1440, H_24_7, "Zarezerwowany dla projektów JCI (nieudostępniany)."},
    {"jci-ms", "instrument", "Chromatograf HPLC Agilent 1260 Infinity II", "HPLC", 1, 1, 0, 0.5,
     0.05, 30, 60, 720, H_EXT, "Detektory DAD i FLD."},
    {"jci-ms", "instrument", "Stanowisko pod dygestorium nr 1", "fume hood bench", 1, 1, 0, 0.4,
     0.1, 60, 60, 480, H_WORK, "Dygestorium z wyciągiem, stół laboratoryjny."},
    {"jci-ms", "instrument", "Stanowisko pod dygestorium nr 2", "fume hood bench", 1, 1, 0, 0.4,
     0.1, 60, 60, 480, H_WORK, "Dygestorium z wyciągiem, stół laboratoryjny."},
    /* JCI — cell culture */
    {"jci-cell", "room", "Pracownia hodowli komórkowych BSL-2 (sala 2.07)", "BSL-2 room", 1, 1, 1,
     2.0, 1.0, 60, 60, 480, H_EXT, "Sala BSL-2 z dwiema komorami laminarnymi i inkubatorami."},
    {"jci-cell", "instrument", "Inkubator CO₂ Binder CB 170 (półka)", "CO2 incubator", 1, 1, 0,
     0.25, 0.25, DAY, DAY, 14 * DAY, H_24_7, "Półka w inkubatorze CO₂, 37 °C, 5% CO₂."},
    {"jci-cell", "instrument", "Komora laminarna klasy II Esco Airstream", "biosafety cabinet", 1,
     1, 0, 0.3, 0.02, 30, 60, 240, H_EXT, "Komora bezpieczeństwa biologicznego klasy II."},
    /* JCI — conference centre and coworking */
    {"jci-conf", "room", "Sala seminaryjna Kopernik (40 miejsc)", "seminar room", 1, 1, 0, 0.5,
     0.05, 30, 60, 600, H_EXT, "Projektor, system wideokonferencji, 40 miejsc."},
    {"jci-conf", "room", "Sala spotkań Skłodowska (12 miejsc)", "meeting room", 1, 0, 0, 0.2, 0.02,
     30, 30, 480, H_EXT, "Ekran i tablica, 12 miejsc."},
    {"jci-cowork", "desk", "Hot desk LSP nr 1", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 600, H_COWORK,
     "Biurko z monitorem; rezerwacja potwierdzana od razu."},
    {"jci-cowork", "desk", "Hot desk LSP nr 2", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 600, H_COWORK,
     "Biurko z monitorem; rezerwacja potwierdzana od razu."},
    {"jci-cowork", "desk", "Hot desk LSP nr 3", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 600, H_COWORK,
     "Biurko przy oknie; rezerwacja potwierdzana od razu."},
    {"jci-cowork", "desk", "Hot desk LSP nr 4", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 600, H_COWORK,
     "Biurko przy oknie; rezerwacja potwierdzana od razu."},
    /* UJ */
    {"uj-flow", "instrument", "Cytometr przepływowy BD FACSCanto II", "flow cytometer", 1, 1, 1,
     0.5, 0.05, 30, 30, 480, H_EXT, "8 kolorów, lasery 405/488/633 nm."},
    {"uj-flow", "instrument", "Sorter komórek BD FACSAria III", "cell sorter", 1, 1, 1, 1.2, 0.2,
     60, 60, 480, H_WORK, "Sortowanie do 4 populacji; obsługa z operatorem."},
    {"uj-flow", "instrument", "Cytometr spektralny Cytek Aurora", "flow cytometer", 1, 1, 1, 0.6,
     0.05, 30, 30, 480, H_WORK, "Cytometria spektralna, do 40 parametrów."},
    {"uj-flow", "room", "Pracownia BSL-2 sortowania komórek (sala 0.21)", "BSL-2 room", 1, 1, 1,
     1.2, 0.6, 60, 60, 480, H_WORK, "Pomieszczenie BSL-2 przy sorterze, komora klasy II."},
    {"uj-teach", "room", "Sala ćwiczeń biologii molekularnej (24 stanowiska)", "teaching lab", 1, 1,
     0, 2.0, 0.2, 60, 60, 480, H_TEACH, "Dostępna popołudniami i w soboty, poza zajęciami."},
    {"uj-teach", "instrument", "Czytnik mikropłytek BioTek Synergy H1", "plate reader", 1, 0, 0,
     0.2, 0.02, 30, 30, 240, H_TEACH, "Absorbancja, fluorescencja, luminescencja."},
    {"uj-gen", "instrument", "Sekwenator Oxford Nanopore GridION", "NGS sequencer", 1, 1, 1, 2.5,
     0.2, 60, 60, 4320, H_24_7, "Sekwencjonowanie długich odczytów, do 5 komórek przepływowych."},
    {"uj-gen", "instrument", "Termocykler PCR Eppendorf Mastercycler X50s", "PCR cycler", 1, 0, 0,
     0.08, 0.005, 30, 30, 480, H_WORK, "Około 0,113 kWh na cykl."},
    {"uj-gen", "instrument", "Zamrażarka −80 °C Eppendorf CryoCube F570 (półka)",
     "ULT freezer −80 °C", 1, 1, 0, 0.63, 0.63, DAY, DAY, 90 * DAY, H_24_7,
     "Wynajem półki, 15 kWh/dobę."},
    /* IKiFP PAN */
    {"ik-em", "instrument", "Skaningowy mikroskop elektronowy JEOL JSM-7500F z EDS",
     "electron microscope (SEM)", 1, 1, 1, 3.0, 0.6, 60, 120, 600, H_EXT,
     "SEM z emisją polową i analizą EDS."},
    {"ik-em", "instrument", "Transmisyjny mikroskop elektronowy FEI Tecnai G2 (200 kV)",
     "electron microscope (TEM)", 1, 1, 1, 5.0, 1.2, 60, 240, 600, H_WORK,
     "TEM 200 kV, STEM, EDS; obsługa wyłącznie po szkoleniu."},
    {"ik-em", "instrument", "Dyfraktometr rentgenowski Bruker D8 Advance", "XRD", 1, 1, 1, 2.5, 0.3,
     60, 60, 1440, H_24_7, "Dyfrakcja proszkowa, pomiary nocne."},
    {"ik-em", "instrument", "Spektrometr FT-IR Thermo Nicolet iS50", "FT-IR spectrometer", 1, 1, 0,
     0.2, 0.05, 30, 30, 480, H_WORK, "ATR, DRIFTS, komora in situ."},
    {"ik-cat", "instrument", "Analizator sorpcji Micromeritics ASAP 2020 (BET)",
     "surface area analyser (BET)", 1, 1, 0, 0.5, 0.1, 60, 240, 2880, H_24_7,
     "Powierzchnia właściwa i porowatość."},
    {"ik-cat", "instrument", "Chromatograf gazowy GC-MS Shimadzu QP2020", "GC-MS", 1, 1, 0, 1.2,
     0.4, 60, 60, 1440, H_24_7, "GC-MS z autosamplerem."},
    {"ik-cat", "instrument", "Stanowisko pod dygestorium — synteza katalizatorów",
     "fume hood bench", 1, 1, 0, 0.4, 0.1, 60, 60, 480, H_WORK, "Dygestorium z linią gazów."},
    {"ik-cat", "instrument", "Reaktor ciśnieniowy Parr 4560", "pressure reactor", 1, 1, 1, 1.5, 0,
     60, 120, 2880, H_24_7, "Reaktor 300 ml do 200 bar."},
    {"ik-bio", "instrument", "Bioreaktor 50 L Sartorius Biostat", "bioreactor", 1, 1, 1, 1.0, 0.1,
     60, 240, 10080, H_24_7, "Hodowle w skali pilotażowej, do 7 dni."},
    {"ik-bio", "instrument", "Liofilizator Christ Epsilon 2-6D", "freeze dryer", 1, 1, 0, 1.5, 0.1,
     60, 480, 4320, H_24_7, "Liofilizacja do 6 kg lodu."},
    {"ik-bio", "room", "Hala biorafinerii — stanowisko pilotażowe", "pilot plant bay", 1, 1, 1, 5.0,
     0.5, 60, 240, 600, H_WORK, "Stanowisko w hali 600 m² do prób w skali pilotażowej."},
    /* URK */
    {"urk-food", "instrument", "Spektrofotometr UV-Vis Shimadzu UV-2600", "spectrophotometer", 1, 0,
     0, 0.1, 0.01, 30, 30, 240, H_WORK, "Zakres 185–900 nm."},
    {"urk-food", "instrument", "Autoklaw laboratoryjny Systec VX-95", "autoclave", 1, 1, 0, 0.63,
     0.1, 60, 60, 240, H_WORK, "Około 15 kWh/dobę przy ciągłej pracy."},
    {"urk-food", "instrument", "Komora laminarna klasy II Telstar Bio II Advance",
     "biosafety cabinet", 1, 1, 0, 0.3, 0.02, 30, 60, 240, H_WORK, "Klasa II."},
    {"urk-food", "instrument", "Analizator tekstury TA.XTplus", "texture analyser", 1, 1, 0, 0.1,
     0.01, 30, 30, 240, H_WORK, "Analiza profilu tekstury żywności."},
    /* Browin */
    {"browin-qc", "instrument", "Fermentor laboratoryjny 10 L", "fermenter", 1, 1, 0, 0.5, 0.05, 60,
     240, 10080, H_24_7, "Fermentacje do 7 dni z rejestracją parametrów."},
    {"browin-qc", "instrument", "Gęstościomierz Anton Paar DMA 4500", "density meter", 1, 0, 0, 0.1,
     0.01, 30, 30, 240, H_OFFICE, "Gęstość i zawartość cukru/alkoholu."},
    {"browin-qc", "instrument", "Komora klimatyczna Memmert HPP 260", "climate chamber", 1, 1, 0,
     0.6, 0.1, DAY, DAY, 30 * DAY, H_24_7, "Testy starzeniowe opakowań i produktów."},
    /* Vistula Therapeutics */
    {"vt-chem", "instrument", "Stanowisko pod dygestorium — chemia medyczna A", "fume hood bench",
     1, 1, 0, 0.4, 0.1, 60, 60, 480, H_WORK, "Stanowisko syntezy z wyparką."},
    {"vt-chem", "instrument", "Stanowisko pod dygestorium — chemia medyczna B", "fume hood bench",
     1, 1, 0, 0.4, 0.1, 60, 60, 480, H_WORK, "Stanowisko syntezy z wyparką."},
    {"vt-chem", "instrument", "Spektrometr NMR Bruker Avance III 400 MHz", "NMR spectrometer", 1, 1,
     1, 2.0, 1.5, 30, 30, 720, H_24_7, "NMR 400 MHz z autosamplerem; kolejka nocna."},
    {"vt-chem", "instrument", "Chromatograf preparatywny Waters AutoPurification", "HPLC", 1, 1, 0,
     0.8, 0.1, 60, 60, 600, H_WORK, "Oczyszczanie kierowane masą."},
    {"vt-hts", "instrument", "Robot pipetujący Hamilton STAR", "liquid handling robot", 0, 1, 1,
     0.8, 0.1, 60, 60, 1440, H_24_7, "Tylko projekty wewnętrzne (nieudostępniany)."},
    {"vt-hts", "instrument", "Czytnik HTS PerkinElmer EnVision", "plate reader", 1, 1, 1, 0.3, 0.05,
     30, 30, 720, H_EXT, "Czytnik wielotrybowy do przesiewania."},
    {"vt-hts", "instrument", "Mikroskop konfokalny wysokoprzepustowy PerkinElmer Opera Phenix",
     "confocal microscope", 1, 1, 1, 1.0, 0.1, 60, 60, 720, H_EXT,
     "High-content screening, obrazowanie konfokalne płytek."},
    {"vt-hts", "room", "Pracownia BSL-2 hodowli komórkowych HTS", "BSL-2 room", 1, 1, 1, 2.0, 1.0,
     60, 60, 480, H_EXT, "Sala BSL-2 z dwiema komorami klasy II i inkubatorami CO₂."},
    {"vt-dmpk", "instrument", "Spektrometr mas LC-MS/MS Waters Xevo TQ-XS", "LC-MS/MS", 1, 1, 1,
     2.0, 1.5, 60, 120, 1440, H_24_7, "Bioanalityka; próżnia pracuje całą dobę."},
    {"vt-dmpk", "instrument", "Zamrażarka −80 °C Panasonic VIP ECO (półka)", "ULT freezer −80 °C",
     1, 1, 0, 0.63, 0.63, DAY, DAY, 90 * DAY, H_24_7, "Wynajem półki, 15 kWh/dobę."},
    /* Life Science Garage */
    {"lsg-lab", "instrument", "Stanowisko DIY bio", "lab bench", 1, 0, 1, 0.2, 0, 60, 60, 480,
     H_COWORK, "Stół laboratoryjny BSL-1 po szkoleniu wprowadzającym."},
    {"lsg-lab", "instrument", "Termocykler PCR miniPCR mini16", "PCR cycler", 1, 0, 0, 0.08, 0, 30,
     30, 480, H_COWORK, "Około 0,113 kWh na cykl."},
    {"lsg-lab", "instrument", "Komora laminarna klasy II (Garage)", "biosafety cabinet", 1, 1, 1,
     0.3, 0.02, 30, 60, 240, H_COWORK, "Komora klasy II."},
    {"lsg-cowork", "desk", "Biurko w Garage nr 1", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 720,
     H_COWORK, "Rezerwacja potwierdzana od razu."},
    {"lsg-cowork", "desk", "Biurko w Garage nr 2", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 720,
     H_COWORK, "Rezerwacja potwierdzana od razu."},
    {"lsg-cowork", "room", "Sala warsztatowa Garage (16 miejsc)", "workshop room", 1, 1, 0, 0.5,
     0.02, 30, 60, 480, H_COWORK, "Warsztaty i meetupy."},
    /* Szpital Uniwersytecki */
    {"su-mol", "instrument", "Sekwenator NGS Illumina MiSeq", "NGS sequencer", 0, 1, 1, 2.5, 0.2,
     60, 60, 2880, H_24_7, "Zarezerwowany dla diagnostyki szpitalnej (nieudostępniany)."},
    {"su-mol", "room", "Pracownia BSL-2 — diagnostyka molekularna", "BSL-2 room", 1, 1, 1, 1.5, 0.8,
     60, 60, 480, H_HOSP, "Pomieszczenie BSL-2 z komorą klasy II."},
    {"su-mol", "instrument", "System qPCR Bio-Rad CFX96", "real-time PCR", 1, 1, 0, 0.4, 0.02, 30,
     60, 480, H_HOSP, "PCR w czasie rzeczywistym."},
    {"su-sim", "room", "Sala symulacji wysokiej wierności (SIM 1)", "simulation room", 1, 1, 0, 2.0,
     0.3, 60, 120, 480, H_WORK, "Symulator pacjenta, reżyserka, nagrywanie."},
    {"su-sim", "room", "Sala wykładowa Centrum Symulacji (60 miejsc)", "seminar room", 1, 1, 0, 0.6,
     0.05, 30, 60, 600, H_WORK, "60 miejsc, nagłośnienie."},
    /* GenoMed */
    {"diag-gen", "instrument", "Sekwenator NGS Illumina NovaSeq 6000", "NGS sequencer", 1, 1, 1,
     2.5, 0.4, 60, 240, 2880, H_24_7,
     "Sekwencjonowanie wysokoprzepustowe; obsługa przez operatora."},
    {"diag-gen", "room", "Pracownia BSL-2 — izolacja kwasów nukleinowych", "BSL-2 room", 1, 1, 1,
     1.5, 0.8, 60, 60, 480, H_EXT, "Pomieszczenie BSL-2 z automatycznym izolatorem."},
    /* Offices */
    {"umk-office", "room", "Sala konferencyjna Centrum Obsługi Inwestora", "meeting room", 1, 1, 0,
     0.3, 0.02, 30, 60, 480, H_OFFICE, "20 miejsc, rzutnik."},
    {"umwm-office", "room", "Sala Kongresowa MCP", "seminar room", 1, 1, 0, 0.8, 0.05, 30, 60, 480,
     H_OFFICE, "120 miejsc, tłumaczenia symultaniczne."},
    {"fklsk-office", "room", "Sala szkoleniowa Klastra (20 miejsc)", "seminar room", 1, 1, 0, 0.4,
     0.02, 30, 60, 480, H_WORK, "20 miejsc, ekran."},
    {"fklsk-office", "desk", "Biurko gościnne w biurze Klastra", "hot desk", 1, 0, 0, 0.05, 0, 60,
     60, 600, H_WORK, "Dla gości klastra; rezerwacja potwierdzana od razu."},
    {"kpt-cowork", "desk", "Hot desk Inkubator KPT nr 1", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 720,
     H_COWORK, "Rezerwacja potwierdzana od razu."},
    {"kpt-cowork", "desk", "Hot desk Inkubator KPT nr 2", "hot desk", 1, 0, 0, 0.05, 0, 60, 60, 720,
     H_COWORK, "Rezerwacja potwierdzana od razu."},
    {"kpt-cowork", "room", "Sala spotkań Inkubatora KPT", "meeting room", 1, 0, 0, 0.2, 0.02, 30,
     30, 240, H_COWORK, "8 miejsc."},
    /* Łukasiewicz */
    {"luk-mat", "instrument", "Spektrometr XRF Rigaku ZSX Primus IV", "XRF spectrometer", 1, 1, 1,
     2.0, 0.4, 60, 60, 600, H_WORK, "Fluorescencja rentgenowska z dyspersją długości fali."},
    {"luk-mat", "instrument", "Stołowy mikroskop elektronowy Thermo Phenom XL",
     "electron microscope (SEM)", 1, 1, 0, 1.0, 0.3, 30, 60, 480, H_WORK, "SEM stołowy z EDS."},
    /* IF PAN */
    {"if-prot", "instrument", "Spektrometr mas MALDI-TOF Bruker ultrafleXtreme", "MALDI-TOF", 1, 1,
     1, 1.5, 0.8, 60, 60, 480, H_WORK, "Identyfikacja białek i obrazowanie MALDI."},
    {"if-prot", "instrument", "System nanoLC-MS/MS Thermo Q Exactive HF", "LC-MS/MS", 1, 1, 1, 2.0,
     1.5, 60, 120, 1440, H_24_7, "Proteomika ilościowa."},
    {"if-prot", "instrument", "Ultrawirówka Beckman Optima XPN-100", "ultracentrifuge", 1, 1, 0,
     2.0, 0.1, 30, 60, 1440, H_EXT, "Do 100 000 obr./min."},
    {"if-conf", "instrument", "Mikroskop konfokalny Leica TCS SP8 MP (dwufotonowy)",
     "confocal microscope", 1, 1, 1, 1.0, 0.1, 60, 60, 480, H_WORK,
     "Mikroskopia konfokalna i wielofotonowa skrawków tkanek."},
    {"if-conf", "instrument", "Zamrażarka −80 °C Thermo Forma 900 (półka)", "ULT freezer −80 °C", 0,
     1, 0, 0.63, 0.63, DAY, DAY, 90 * DAY, H_24_7, "Tylko dla zespołów IF PAN."},
    /* Politechnika Krakowska */
    {"pk-teach", "room", "Laboratorium dydaktyczne chemii analitycznej", "teaching lab", 1, 1, 0,
     1.5, 0.2, 60, 60, 480, H_TEACH, "16 stanowisk, dostępne poza zajęciami."},
    {"pk-teach", "instrument", "Stanowisko pod dygestorium (dydaktyczne)", "fume hood bench", 1, 1,
     0, 0.4, 0.1, 60, 60, 240, H_TEACH, "Dygestorium w sali dydaktycznej."},
    {"pk-bio", "instrument", "Bioreaktor 5 L Applikon ez-Control", "bioreactor", 1, 1, 1, 0.6, 0.05,
     60, 240, 10080, H_24_7, "Hodowle wsadowe i ciągłe."},
    {"pk-bio", "instrument", "Wirówka laboratoryjna Eppendorf 5910 Ri", "centrifuge", 1, 0, 0, 0.9,
     0.05, 30, 30, 240, H_WORK, "Wirówka z chłodzeniem."},
    /* BioStart (not a member) */
    {"bs-lab", "instrument", "Stanowisko laboratoryjne BioStart", "lab bench", 1, 1, 0, 0.2, 0, 60,
     60, 480, H_WORK, "Stół laboratoryjny z podstawowym wyposażeniem."},
    {"bs-lab", "instrument", "Inkubator z wytrząsaniem Infors HT Multitron", "shaking incubator", 1,
     1, 0, 0.5, 0.3, 60, 240, 10080, H_24_7, "Hodowle bakteryjne i drożdżowe."},
};

struct demo_service {
    const char *org, *name, *description;
    const char *resources[4]; /* names from RESOURCES, NULL-terminated */
};

static const struct demo_service SERVICES[] = {
    {"jci",
     "Sekwencjonowanie NGS na zlecenie",
     "Przygotowanie bibliotek i sekwencjonowanie na platformie Illumina NextSeq 2000.",
     {"Sekwenator NGS Illumina NextSeq 2000", NULL}},
    {"jci",
     "Analizy LC-MS/MS metabolitów i leków",
     "Ilościowe oznaczenia w matrycach biologicznych, walidacja metod.",
     {"Spektrometr mas LC-MS/MS Sciex QTRAP 6500+", "Chromatograf HPLC Agilent 1260 Infinity II",
      NULL}},
    {"jci",
     "Obrazowanie konfokalne z operatorem",
     "Sesje obrazowania z operatorem pracowni, także analiza obrazu.",
     {"Mikroskop konfokalny Zeiss LSM 900 z Airyscan", "Mikroskop konfokalny Leica Stellaris 5",
      "Stacja analizy obrazu (Imaris, arivis)", NULL}},
    {"jci",
     "Wynajem powierzchni laboratoryjnej BSL-2",
     "Krótko- i długoterminowy wynajem pomieszczeń BSL-2 w LifeScience Park.",
     {"Pomieszczenie BSL-2 nr 1.14", "Pracownia hodowli komórkowych BSL-2 (sala 2.07)", NULL}},
    {"uj",
     "Cytometria przepływowa i sortowanie komórek",
     "Analizy wielokolorowe i sortowanie z opieką specjalisty.",
     {"Cytometr przepływowy BD FACSCanto II", "Sorter komórek BD FACSAria III",
      "Cytometr spektralny Cytek Aurora", NULL}},
    {"uj",
     "Warsztaty biologii molekularnej dla szkół",
     "Zajęcia praktyczne z PCR i elektroforezy dla uczniów i nauczycieli.",
     {"Sala ćwiczeń biologii molekularnej (24 stanowiska)", NULL}},
    {"ikifp",
     "Mikroskopia elektronowa SEM/TEM z analizą EDS",
     "Obrazowanie i mikroanaliza materiałów, katalizatorów i próbek biologicznych.",
     {"Skaningowy mikroskop elektronowy JEOL JSM-7500F z EDS",
      "Transmisyjny mikroskop elektronowy FEI Tecnai G2 (200 kV)", NULL}},
    {"ikifp",
     "Charakterystyka katalizatorów (BET, XRD, FT-IR)",
     "Powierzchnia właściwa, struktura krystaliczna i spektroskopia.",
     {"Analizator sorpcji Micromeritics ASAP 2020 (BET)",
      "Dyfraktometr rentgenowski Bruker D8 Advance", "Spektrometr FT-IR Thermo Nicolet iS50",
      NULL}},
    {"ikifp",
     "Skalowanie procesów biorafineryjnych",
     "Próby w skali pilotażowej w hali biorafinerii.",
     {"Bioreaktor 50 L Sartorius Biostat", "Hala biorafinerii — stanowisko pilotażowe", NULL}},
    {"urk",
     "Analiza mikrobiologiczna i fizykochemiczna żywności",
     "Oznaczenia mikrobiologiczne, tekstura, spektrofotometria.",
     {"Komora laminarna klasy II Telstar Bio II Advance", "Analizator tekstury TA.XTplus",
      "Spektrofotometr UV-Vis Shimadzu UV-2600", NULL}},
    {"browin",
     "Badania fermentacji i kontroli jakości",
     "Testy procesów fermentacji i trwałości produktów spożywczych.",
     {"Fermentor laboratoryjny 10 L", "Komora klimatyczna Memmert HPP 260", NULL}},
    {"vistula",
     "Badania DMPK in vitro",
     "Stabilność metaboliczna, wiązanie z białkami, bioanalityka LC-MS/MS.",
     {"Spektrometr mas LC-MS/MS Waters Xevo TQ-XS", NULL}},
    {"vistula",
     "Przesiewanie HTS i high-content screening na zlecenie",
     "Testy komórkowe i biochemiczne w formacie 384.",
     {"Czytnik HTS PerkinElmer EnVision",
      "Mikroskop konfokalny wysokoprzepustowy PerkinElmer Opera Phenix", NULL}},
    {"lsg",
     "Warsztaty DIY bio dla początkujących",
     "Wprowadzenie do pracy w laboratorium BSL-1: pipetowanie, PCR, hodowle.",
     {"Stanowisko DIY bio", "Termocykler PCR miniPCR mini16", NULL}},
    {"su",
     "Kursy symulacji medycznej",
     "Szkolenia zespołów klinicznych na symulatorach wysokiej wierności.",
     {"Sala symulacji wysokiej wierności (SIM 1)", NULL}},
    {"diag",
     "Diagnostyka genetyczna NGS (panele i eksomy)",
     "Sekwencjonowanie kliniczne z raportem genetyka.",
     {"Sekwenator NGS Illumina NovaSeq 6000", NULL}},
    {"lukasiewicz",
     "Analizy materiałowe XRF i SEM",
     "Skład pierwiastkowy i morfologia powierzchni.",
     {"Spektrometr XRF Rigaku ZSX Primus IV", "Stołowy mikroskop elektronowy Thermo Phenom XL",
      NULL}},
    {"ifpan",
     "Proteomika — identyfikacja i ilościowe oznaczanie białek",
     "Od przygotowania próbek po analizę danych.",
     {"Spektrometr mas MALDI-TOF Bruker ultrafleXtreme", "System nanoLC-MS/MS Thermo Q Exactive HF",
      NULL}},
    {"kpt",
     "Inkubacja startupów life science",
     "Program inkubacyjny z biurkiem i mentoringiem.",
     {"Hot desk Inkubator KPT nr 1", NULL}},
    {"fklsk",
     "Doradztwo grantowe B+R",
     "Pomoc w przygotowaniu wniosków o finansowanie B+R.",
     {NULL}},
};

struct demo_user {
    const char *email, *name;
    enum role role;
    const char *org; /* slug, NULL = none (staff, guests) */
    const char *lang;
};

/* The first three are the demo story: the owner runs the well-equipped
 * JCI, the researcher comes from another organisation (UJ), so booking
 * across organisations is the default path. */
static const struct demo_user USERS[] = {
    {"staff@labshare.demo", "Katarzyna Wiśniewska", ROLE_STAFF, NULL, "pl"},
    {"owner@labshare.demo", "Piotr Zieliński", ROLE_OWNER, "jci", "pl"},
    {"researcher@labshare.demo", "Anna Kowalczyk", ROLE_RESEARCHER, "uj", "en"},
    {"owner.uj@labshare.demo", "Barbara Mazur", ROLE_OWNER, "uj", "pl"},
    {"owner.ikifp@labshare.demo", "Andrzej Krawczyk", ROLE_OWNER, "ikifp", "pl"},
    {"owner.urk@labshare.demo", "Joanna Piątek", ROLE_OWNER, "urk", "pl"},
    {"owner.browin@labshare.demo", "Grzegorz Król", ROLE_OWNER, "browin", "pl"},
    {"owner.vistula@labshare.demo", "Monika Grabowska", ROLE_OWNER, "vistula", "en"},
    {"owner.lsg@labshare.demo", "Michał Pawlak", ROLE_OWNER, "lsg", "pl"},
    {"owner.su@labshare.demo", "dr hab. Ewa Michalska", ROLE_OWNER, "su", "pl"},
    {"owner.genomed@labshare.demo", "Robert Nowicki", ROLE_OWNER, "diag", "pl"},
    {"owner.umk@labshare.demo", "Agnieszka Adamczyk", ROLE_OWNER, "umk", "pl"},
    {"owner.umwm@labshare.demo", "Paweł Dudek", ROLE_OWNER, "umwm", "pl"},
    {"owner.klaster@labshare.demo", "Aleksandra Zając", ROLE_OWNER, "fklsk", "pl"},
    {"owner.kpt@labshare.demo", "Krzysztof Wieczorek", ROLE_OWNER, "kpt", "pl"},
    {"owner.kit@labshare.demo", "Marcin Jabłoński", ROLE_OWNER, "lukasiewicz", "pl"},
    {"owner.ifpan@labshare.demo", "Dorota Wróbel", ROLE_OWNER, "ifpan", "pl"},
    {"owner.pk@labshare.demo", "Tadeusz Majewski", ROLE_OWNER, "pk", "pl"},
    {"owner.biostart@labshare.demo", "Natalia Olszewska", ROLE_OWNER, "biostart", "en"},
    {"jan.nowak@labshare.demo", "Jan Nowak", ROLE_RESEARCHER, "ikifp", "pl"},
    {"ewa.lewandowska@labshare.demo", "Ewa Lewandowska", ROLE_RESEARCHER, "urk", "pl"},
    {"tomasz.wojcik@labshare.demo", "Tomasz Wójcik", ROLE_RESEARCHER, "vistula", "pl"},
    {"magdalena.kaminska@labshare.demo", "Magdalena Kamińska", ROLE_RESEARCHER, "su", "pl"},
    {"lukasz.dabrowski@labshare.demo", "Łukasz Dąbrowski", ROLE_RESEARCHER, "ifpan", "pl"},
    {"zofia.szymanska@labshare.demo", "Zofia Szymańska", ROLE_RESEARCHER, "pk", "pl"},
    {"kamil.lis@labshare.demo", "Kamil Lis", ROLE_RESEARCHER, "jci", "pl"},
    {"olga.petrenko@labshare.demo", "Olga Petrenko", ROLE_RESEARCHER, NULL, "en"},
    {"marek.sowa@labshare.demo", "Marek Sowa", ROLE_RESEARCHER, NULL, "pl"},
    {"maria.garcia@labshare.demo", "María García", ROLE_RESEARCHER, NULL, "en"},
};

/* Who is trained on what (email, resource name). */
static const char *const TRAINING[][2] = {
    {"researcher@labshare.demo", "Mikroskop konfokalny Zeiss LSM 900 z Airyscan"},
    {"researcher@labshare.demo", "Pomieszczenie BSL-2 nr 1.14"},
    {"researcher@labshare.demo", "Cytometr przepływowy BD FACSCanto II"},
    {"kamil.lis@labshare.demo", "Sekwenator NGS Illumina NextSeq 2000"},
    {"kamil.lis@labshare.demo", "Spektrometr mas LC-MS/MS Sciex QTRAP 6500+"},
    {"jan.nowak@labshare.demo", "Skaningowy mikroskop elektronowy JEOL JSM-7500F z EDS"},
    {"jan.nowak@labshare.demo", "Transmisyjny mikroskop elektronowy FEI Tecnai G2 (200 kV)"},
    {"tomasz.wojcik@labshare.demo", "Spektrometr NMR Bruker Avance III 400 MHz"},
    {"magdalena.kaminska@labshare.demo", "Pracownia BSL-2 — diagnostyka molekularna"},
    {"lukasz.dabrowski@labshare.demo", "Mikroskop konfokalny Leica TCS SP8 MP (dwufotonowy)"},
    {"olga.petrenko@labshare.demo", "Stanowisko DIY bio"},
};

/* Blackouts, placed relative to next Monday (day 0) in local time. */
struct demo_blackout {
    const char *resource;
    int day0, hour0, day1, hour1;
    const char *reason;
};

static const struct demo_blackout BLACKOUTS[] = {
    {"Mikroskop konfokalny Zeiss LSM 900 z Airyscan", 9, 7, 9, 21,
     "Przegląd serwisowy Zeiss (kalibracja laserów)"},
    {"Skaningowy mikroskop elektronowy JEOL JSM-7500F z EDS", 2, 0, 5, 0, "Wymiana katody"},
    {"Pomieszczenie BSL-2 nr 1.14", 14, 0, 16, 0, "Coroczna dekontaminacja pomieszczenia"},
    {"Sekwenator NGS Illumina NextSeq 2000", -4, 8, -4, 18, "Awaria chłodzenia — naprawa"},
    {"Sala seminaryjna Kopernik (40 miejsc)", 3, 7, 3, 21, "Zgromadzenie partnerów klastra"},
    {"Cytometr przepływowy BD FACSCanto II", 21, 7, 22, 21, "Przegląd roczny BD"},
};

/* ------------------------------------------------------------------ */
/* Loading                                                              */

static void preset_hours(enum hours_preset p, struct hours_week *wk)
{
    memset(wk, 0, sizeof *wk);
    switch (p) {
    case H_WORK:
        hours_default(wk);
        return;
    case H_24_7:
        for (int d = 1; d <= 7; d++)
            wk->w[wk->n++] = (struct hours_window){d, 0, 1440};
        return;
    case H_EXT:
        for (int d = 1; d <= 5; d++)
            wk->w[wk->n++] = (struct hours_window){d, 7 * 60, 21 * 60};
        wk->w[wk->n++] = (struct hours_window){6, 9 * 60, 15 * 60};
        return;
    case H_OFFICE:
        for (int d = 1; d <= 5; d++)
            wk->w[wk->n++] = (struct hours_window){d, 8 * 60, 16 * 60};
        return;
    case H_COWORK:
        for (int d = 1; d <= 5; d++)
            wk->w[wk->n++] = (struct hours_window){d, 7 * 60, 22 * 60};
        for (int d = 6; d <= 7; d++)
            wk->w[wk->n++] = (struct hours_window){d, 9 * 60, 18 * 60};
        return;
    case H_HOSP:
        for (int d = 1; d <= 5; d++)
            wk->w[wk->n++] = (struct hours_window){d, 7 * 60 + 30, 15 * 60 + 30};
        return;
    case H_TEACH:
        for (int d = 1; d <= 5; d++)
            wk->w[wk->n++] = (struct hours_window){d, 16 * 60, 20 * 60};
        wk->w[wk->n++] = (struct hours_window){6, 8 * 60, 16 * 60};
        return;
    }
}

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

/* Price lists and public funding of a few resources (net PLN per hour:
 * internal, member academic, member commercial, non-member). */
static const struct {
    const char *resource;
    double internal, academic, commercial, non_member;
    const char *programme; /* NULL = not publicly funded */
} MONEY[] = {
    {"Sekwenator NGS Illumina NextSeq 2000", 150, 300, 450, 600,
     "RPO WM 2014-2020, działanie 1.1 (infrastruktura B+R)"},
    {"Mikroskop konfokalny Leica Stellaris 5", 80, 160, 240, 320, "FENG 2021-2027, 2.1"},
    {"Spektrometr mas LC-MS/MS Sciex QTRAP 6500+", 200, 400, 600, 800, NULL},
    {"Termocykler PCR Bio-Rad C1000 Touch (1)", 0, 20, 35, 50, NULL},
    {"Hot desk LSP nr 1", 10, 20, 25, 30, NULL},
};

static void demo_money(struct resource *r)
{
    for (int i = 0; i < COUNT(MONEY); i++) {
        if (strcmp(MONEY[i].resource, r->name) != 0)
            continue;
        r->prices = (struct price_list){"PLN", MONEY[i].internal, MONEY[i].academic,
                                        MONEY[i].commercial, MONEY[i].non_member};
        if (MONEY[i].programme) {
            r->funding = (struct funding){MONEY[i].programme, CATALOGUE_DEFAULT_CAP};
        }
    }
}

/* The demo's bookings are written as history, past the booking rules: their
 * economic flag takes the default of API.md, as migration 0019 gave it to
 * the bookings before it. */
static const char SQL_ECONOMIC_DEFAULT[] =
    "UPDATE bookings SET economic = 1 WHERE organisation_id IS NULL OR organisation_id IN"
    " (SELECT id FROM organisations WHERE grp IN ('BioF','BIZ') OR member = 0)";

static void bind_nothing(struct db_stmt *st, const void *ctx)
{
    (void)st;
    (void)ctx;
}

struct ids {
    int64_t org[COUNT(ORGS)];
    int64_t lab[COUNT(LABS)];
    int64_t res[COUNT(RESOURCES)];
    int64_t user[COUNT(USERS)];
};

static int64_t org_id(const struct ids *ids, const char *slug)
{
    for (int i = 0; slug && i < COUNT(ORGS); i++)
        if (strcmp(ORGS[i].slug, slug) == 0)
            return ids->org[i];
    return 0;
}

static int64_t lab_id(const struct ids *ids, const char *key)
{
    for (int i = 0; i < COUNT(LABS); i++)
        if (strcmp(LABS[i].key, key) == 0)
            return ids->lab[i];
    return 0;
}

static int64_t res_id(const struct ids *ids, const char *name)
{
    for (int i = 0; i < COUNT(RESOURCES); i++)
        if (strcmp(RESOURCES[i].name, name) == 0)
            return ids->res[i];
    return 0;
}

static int64_t user_id(const struct ids *ids, const char *email)
{
    for (int i = 0; i < COUNT(USERS); i++)
        if (strcmp(USERS[i].email, email) == 0)
            return ids->user[i];
    return 0;
}

/* Local time `hour`:00 on next Monday + day (day may be negative). */
static int64_t local_at(int64_t now, int day, int hour)
{
    struct tu_local l;
    tu_to_local(now, &l);
    int64_t days = tu_days_from_civil(l.year, l.month, l.day) + (8 - l.weekday) + day;
    int y, m, d;
    tu_civil_from_days(days, &y, &m, &d);
    int64_t t = tu_local_midnight(y, m, d);
    if (hour > 0 && tu_from_local(y, m, d, hour, 0, 0, 1, &t) != TU_OK)
        t = tu_local_midnight(y, m, d) + hour * 3600;
    return t;
}

static int load_catalogue(struct db *db, void *ctx, struct ls_err *err)
{
    struct ids *ids = ctx;
    int rc = LS_OK;
    for (int i = 0; !rc && i < COUNT(ORGS); i++) {
        const struct demo_org *d = &ORGS[i];
        struct organisation o;
        catalogue_defaults(&catalogue_organisation, &o);
        o.name = d->name;
        o.short_name = d->short_name;
        o.group = d->group;
        o.package = d->package;
        o.member = d->member;
        o.city = d->city;
        o.website = d->website;
        o.description = d->description;
        rc = catalogue_create(db, &catalogue_organisation, &o, err);
        ids->org[i] = o.id;
    }
    for (int i = 0; !rc && i < COUNT(LABS); i++) {
        const struct demo_lab *d = &LABS[i];
        struct lab l;
        catalogue_defaults(&catalogue_lab, &l);
        l.organisation_id = org_id(ids, d->org);
        l.name = d->name;
        l.kind = d->kind;
        l.area_m2 = d->area_m2;
        l.energy_kwh_per_m2_year = d->energy < 0 ? NAN : d->energy;
        l.building = d->building;
        l.address = d->address;
        l.city = strstr(d->address ? d->address : "", "Łódź") ? "Łódź" : "Kraków";
        l.biosafety_level = d->biosafety_level;
        l.description = d->description;
        rc = catalogue_create(db, &catalogue_lab, &l, err);
        ids->lab[i] = l.id;
    }
    for (int i = 0; !rc && i < COUNT(RESOURCES); i++) {
        const struct demo_res *d = &RESOURCES[i];
        struct resource r;
        catalogue_defaults(&catalogue_resource, &r);
        r.lab_id = lab_id(ids, d->lab);
        r.type = d->type;
        r.name = d->name;
        r.category = d->category;
        r.description = d->description;
        r.shared = d->shared;
        r.requires_approval = d->approval;
        r.requires_training = d->training;
        r.power_kw = d->power_kw;
        r.standby_kw = d->standby_kw;
        r.slot_minutes = d->slot;
        r.min_minutes = d->min;
        r.max_minutes = d->max;
        preset_hours(d->hours, &r.hours);
        demo_money(&r);
        rc = catalogue_create(db, &catalogue_resource, &r, err);
        ids->res[i] = r.id;
    }
    for (int i = 0; !rc && i < COUNT(SERVICES); i++) {
        const struct demo_service *d = &SERVICES[i];
        int64_t links[4];
        struct service s;
        catalogue_defaults(&catalogue_service, &s);
        s.organisation_id = org_id(ids, d->org);
        s.name = d->name;
        s.description = d->description;
        s.resources.v = links;
        for (int k = 0; k < 4 && d->resources[k]; k++)
            links[s.resources.n++] = res_id(ids, d->resources[k]);
        rc = catalogue_create(db, &catalogue_service, &s, err);
    }
    int64_t now = tu_now();
    for (int i = 0; !rc && i < COUNT(BLACKOUTS); i++) {
        const struct demo_blackout *d = &BLACKOUTS[i];
        struct blackout b;
        catalogue_defaults(&catalogue_blackout, &b);
        b.resource_id = res_id(ids, d->resource);
        b.start = local_at(now, d->day0, d->hour0);
        b.end = local_at(now, d->day1, d->hour1);
        b.reason = d->reason;
        rc = catalogue_create(db, &catalogue_blackout, &b, err);
    }
    return rc;
}

int demo_load(struct db *db, int quiet)
{
    struct db_stmt *st = db_stmt(db, SQL_HAS_ORGS);
    int64_t n = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_reset(st);
    if (n != 0) {
        cli_say(stderr, "labshare demo: the database already has data; use an empty one\n");
        return CLI_FAIL;
    }
    struct ls_err err = {0};
    static struct ids ids; /* large; the CLI runs one demo_load at a time */
    memset(&ids, 0, sizeof ids);
    /* The catalogue goes in as one transaction: all of it or nothing. */
    int rc = db_write(db, load_catalogue, &ids, &err);
    if (rc) {
        return cli_fail("demo", &err);
    }
    for (int i = 0; i < COUNT(USERS); i++) {
        const struct demo_user *d = &USERS[i];
        struct user_new u = {d->email, d->name, DEMO_PASSWORD, d->role, org_id(&ids, d->org),
                             d->lang};
        if (auth_user_create(db, &u, &ids.user[i], &err) != LS_OK) {
            char text[320];
            cli_error_text(text, sizeof text, &err, cli_lang());
            fprintf(stderr, "labshare demo: %s: %s\n", d->email, text);
            return CLI_FAIL;
        }
    }
    int64_t staff = ids.user[0];
    for (int i = 0; i < COUNT(TRAINING); i++) {
        int created = 0;
        if (catalogue_training_grant(db, res_id(&ids, TRAINING[i][1]),
                                     user_id(&ids, TRAINING[i][0]), staff, &created,
                                     &err) != LS_OK) {
            char text[320];
            cli_error_text(text, sizeof text, &err, cli_lang());
            fprintf(stderr, "labshare demo: %s: %s\n", TRAINING[i][0], text);
            return CLI_FAIL;
        }
    }
    if (demo_bookings(db) != 0 ||
        db_write_one(db, SQL_ECONOMIC_DEFAULT, bind_nothing, NULL, NULL, NULL, &err) != LS_OK) {
        cli_say(stderr, "labshare demo: could not create the demo bookings\n");
        return CLI_FAIL;
    }
    if (!quiet) {
        cli_say(stdout, "demo data loaded. Sign in with (password: %s):\n", DEMO_PASSWORD);
        for (int i = 0; i < COUNT(USERS); i++)
            printf("  %-28s %s\n", USERS[i].email, auth_role_name(USERS[i].role));
    }
    return CLI_OK;
}
