/* SPDX-License-Identifier: ISC */
/*
 * sagi's entry point: locale, options, and the subcommand.  The
 * environment is read here and nowhere in core.
 */
#include "config.h"

#include <getopt.h>
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: sagi [options] [--account NAME | imap[s]://… | MAILDIR | MBOX | --demo]\n"
"       sagi scan [--json] [options] PATH...\n"
"       sagi scan [--json] [options] --account NAME [--folder F]\n"
"       sagi scan [--json] [options] imap[s]://user@host[:port]/FOLDER\n"
"       sagi junk --flagged [--level phish|suspicious] [--dry-run] [--yes]\n"
"                 [--account NAME | imap[s]://…] [options]\n"
"       sagi undo [--account NAME | imap[s]://…] [options]\n"
"       sagi explain [--json] [options] [FILE|-]\n"
"       sagi check-rules [PATH...]\n"
"       sagi --version | --help\n"
"\n"
"PATH is an .eml file, a Maildir (with cur/ and new/) or an mbox file.\n"
"\n"
"mailbox options (each overrides the config file; see sagi-config(5)):\n"
"  --account NAME       an account of ~/.config/sagi/config\n"
"  --folder F           folder to open (default INBOX)\n"
"  --host H  --port N  --user U  --tls imaps|starttls|none\n"
"  --tls-ca-file FILE   trust the CAs in FILE for this server\n"
"  --tls-fingerprint sha256:HEX   trust exactly this certificate\n"
"  --password-cmd CMD   run CMD (via /bin/sh); its first line is the password\n"
"  --oauth2-token-cmd CMD\n"
"                       log in with the OAuth 2 token CMD prints instead\n"
"  --oauth2-mechanism xoauth2|oauthbearer\n"
"                       SASL mechanism for the token (default: OAUTHBEARER\n"
"                       when the server offers it, else XOAUTH2)\n"
"  --insecure-plaintext allow tls none\n"
"  --junk-folder F      the junk folder (default: found by SPECIAL-USE)\n"
"  --create-junk        create the junk folder when there is none\n"
"  --timeout SECONDS    network timeout (default 30)\n"
"  --no-cache           neither read nor write the message cache\n"
"  --config FILE        config file instead of ~/.config/sagi/config\n"
"\n"
"options:\n"
"  --json               JSON output (JSON Lines for scan)\n"
"  --lang ja|en         language of explanations (default: from LANG)\n"
"  --rules PATH         rule pack file or directory (repeatable)\n"
"  --authserv-id ID     trust only Authentication-Results from ID\n"
"  --suspect-at N       score at which a message is suspicious (default %.0f)\n"
"  --phish-at N         score at which a message is phish (default %.0f)\n"
"  --jobs N             worker threads for scan (default: CPUs)\n"
"  --color / --no-color colour the level in human output\n"
"\n"
"exit status: bit 1 suspicious seen, bit 2 phish seen, bit 4 read error;\n"
"64 usage error.  See sagi(1).\n", DETECT_SUSPECT_AT, DETECT_PHISH_AT);
}

/* LC_ALL, then LC_MESSAGES, then LANG: the first one set decides. */
static enum verdict_lang
main_env_lang(void)
{
	static const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	size_t	 i;

	for (i = 0; i < SAGI_NITEMS(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0')
			return strncmp(v, "ja", 2) == 0 ? VERDICT_JA : VERDICT_EN;
	}
	return VERDICT_EN;
}

/* An XDG base directory: $VAR, else $HOME/fallback. */
static char *
main_xdg(const char *var, const char *fallback)
{
	const char	*v = getenv(var), *home = getenv("HOME");

	if (v != NULL && *v == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", home != NULL ? home : "/nonexistent",
	    fallback);
}

/*
 * The locale, and the catalog of interface strings.  A Japanese LANG whose
 * locale is not installed (common in containers) still gets Japanese:
 * C.UTF-8 for the characters, LANGUAGE for gettext.
 */
static void
main_locale(void)
{
	char	*mo;
	int	 ja = main_env_lang() == VERDICT_JA;

	if (setlocale(LC_ALL, "") == NULL && ja &&
	    setlocale(LC_ALL, "C.UTF-8") != NULL)
		setenv("LANGUAGE", "ja", 0);
	/* Not installed yet: the catalog the build made. */
	mo = xasprintf("%s/ja/LC_MESSAGES/%s.mo", LOCALEDIR, PACKAGE);
	bindtextdomain(PACKAGE, access(mo, R_OK) == 0 ? LOCALEDIR :
	    SAGI_BUILDDIR "/po/locale");
	free(mo);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
}

static int
main_is_command(const char *s)
{
	static const char *const commands[] = {
		"scan", "explain", "junk", "undo", "check-rules",
	};
	size_t	i;

	for (i = 0; i < SAGI_NITEMS(commands); i++) {
		if (strcmp(s, commands[i]) == 0)
			return 1;
	}
	return 0;
}

static void
main_xdg_paths(char **conf_path, char **cache_dir, char **journal_path,
    char **keys_path)
{
	char	*d;

	d = main_xdg("XDG_CONFIG_HOME", ".config");
	*conf_path = xasprintf("%s/sagi/config", d);
	*keys_path = xasprintf("%s/sagi/keys", d);
	free(d);
	d = main_xdg("XDG_CACHE_HOME", ".cache");
	*cache_dir = xasprintf("%s/sagi", d);
	free(d);
	d = main_xdg("XDG_STATE_HOME", ".local/state");
	*journal_path = xasprintf("%s/sagi/journal", d);
	free(d);
}

static int
main_number(const char *s, double *out)
{
	char	*end;

	*out = strtod(s, &end);
	return *s != '\0' && *end == '\0';
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "lang", required_argument, NULL, 'L' },
		{ "rules", required_argument, NULL, 'r' },
		{ "authserv-id", required_argument, NULL, 'a' },
		{ "suspect-at", required_argument, NULL, 's' },
		{ "phish-at", required_argument, NULL, 'p' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "color", no_argument, NULL, 'c' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "account", required_argument, NULL, 1000 },
		{ "folder", required_argument, NULL, 1001 },
		{ "host", required_argument, NULL, 1002 },
		{ "port", required_argument, NULL, 1003 },
		{ "user", required_argument, NULL, 1004 },
		{ "tls", required_argument, NULL, 1005 },
		{ "tls-ca-file", required_argument, NULL, 1006 },
		{ "tls-fingerprint", required_argument, NULL, 1007 },
		{ "password-cmd", required_argument, NULL, 1008 },
		{ "junk-folder", required_argument, NULL, 1009 },
		{ "insecure-plaintext", no_argument, NULL, 1010 },
		{ "create-junk", no_argument, NULL, 1011 },
		{ "flagged", no_argument, NULL, 1012 },
		{ "level", required_argument, NULL, 1013 },
		{ "dry-run", no_argument, NULL, 1014 },
		{ "yes", no_argument, NULL, 1015 },
		{ "timeout", required_argument, NULL, 1016 },
		{ "no-cache", no_argument, NULL, 1017 },
		{ "config", required_argument, NULL, 1018 },
		{ "demo", no_argument, NULL, 1019 },
		{ "oauth2-token-cmd", required_argument, NULL, 1020 },
		{ "oauth2-mechanism", required_argument, NULL, 1021 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts	 o;
	const char	*cmd, *datadir;
	char		*rules_dir = NULL, *conf_path, *cache_dir, *journal_path;
	char		*keys_path;
	int		 demo = 0;
	int		 ch, rc, color = -1, from_env;
	long		 ncpu;

	main_locale();
	/* A server that hangs up must give an error, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof o);
	o.report.lang = main_env_lang();
	o.analyzer.thresholds.suspect_at = DETECT_SUSPECT_AT;
	o.analyzer.thresholds.phish_at = DETECT_PHISH_AT;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 1;
	account_init(&o.mb.over);
	o.mb.over.timeout = 0;
	o.mb.level = VERDICT_PHISH;

	/* No command (or an option, a path, a URL first): the interface. */
	cmd = argc >= 2 ? argv[1] : "";
	if (strcmp(cmd, "--version") == 0) {
		printf("sagi %s (rule language %d)\n", PACKAGE_VERSION,
		    SAGI_RULES_LANGUAGE);
		return 0;
	}
	if (main_is_command(cmd))
		optind = 2;
	else {
		cmd = "";
		optind = 1;
	}
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.report.json = 1;
			break;
		case 'L':
			if (strcmp(optarg, "ja") == 0) {
				o.report.lang = VERDICT_JA;
				setenv("LANGUAGE", "ja", 1);
			}
			else if (strcmp(optarg, "en") == 0) {
				o.report.lang = VERDICT_EN;
				setenv("LANGUAGE", "en", 1);
			}
			else {
				fprintf(stderr, "sagi: --lang must be ja or en\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'r':
			if (o.nrule_paths == SAGI_NITEMS(o.rule_paths)) {
				fprintf(stderr, "sagi: too many --rules\n");
				return CLI_EXIT_USAGE;
			}
			o.rule_paths[o.nrule_paths++] = optarg;
			break;
		case 'a':
			o.analyzer.authserv_id = optarg;
			break;
		case 's':
		case 'p': {
			double	 n;

			if (!main_number(optarg, &n) || n <= 0) {
				fprintf(stderr, "sagi: bad number: %s\n", optarg);
				return CLI_EXIT_USAGE;
			}
			if (ch == 's')
				o.analyzer.thresholds.suspect_at = n;
			else
				o.analyzer.thresholds.phish_at = n;
			break;
		}
		case 'J': {
			double	 n;

			if (!main_number(optarg, &n) || n < 1 || n > 256) {
				fprintf(stderr, "sagi: --jobs must be 1..256\n");
				return CLI_EXIT_USAGE;
			}
			o.jobs = (int)n;
			break;
		}
		case 'c':
			color = 1;
			break;
		case 'C':
			color = 0;
			break;
		case 1000:
			o.mb.account = optarg;
			break;
		case 1001:
			o.mb.folder = optarg;
			break;
		case 1002:
			o.mb.over.host = optarg;
			break;
		case 1003: {
			double	 n;

			if (!main_number(optarg, &n) || n < 1 || n > 65535) {
				fprintf(stderr, "sagi: --port must be 1..65535\n");
				return CLI_EXIT_USAGE;
			}
			o.mb.over.port = (unsigned int)n;
			break;
		}
		case 1004:
			o.mb.over.user = optarg;
			break;
		case 1005:
			if (conf_tls_parse(optarg, &o.mb.over.tls) != 0) {
				fprintf(stderr, "sagi: --tls must be imaps, "
				    "starttls or none\n");
				return CLI_EXIT_USAGE;
			}
			o.mb.tls_set = 1;
			break;
		case 1006:
			o.mb.over.tls_ca_file = optarg;
			break;
		case 1007:
			o.mb.over.tls_fingerprint = optarg;
			break;
		case 1008:
			o.mb.over.password_cmd = optarg;
			break;
		case 1009:
			o.mb.over.junk_folder = optarg;
			break;
		case 1010:
			o.mb.over.allow_plaintext = 1;
			break;
		case 1011:
			o.mb.create_junk = 1;
			break;
		case 1012:
			o.mb.flagged = 1;
			break;
		case 1013:
			if (strcmp(optarg, "phish") == 0)
				o.mb.level = VERDICT_PHISH;
			else if (strcmp(optarg, "suspicious") == 0)
				o.mb.level = VERDICT_SUSPECT;
			else {
				fprintf(stderr, "sagi: --level must be phish or "
				    "suspicious\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 1014:
			o.mb.dry_run = 1;
			break;
		case 1015:
			o.mb.yes = 1;
			break;
		case 1016: {
			double	 n;

			if (!main_number(optarg, &n) || n < 1 || n > 3600) {
				fprintf(stderr, "sagi: --timeout must be "
				    "1..3600 seconds\n");
				return CLI_EXIT_USAGE;
			}
			o.mb.over.timeout = (unsigned int)n;
			break;
		}
		case 1017:
			o.mb.no_cache = 1;
			break;
		case 1018:
			o.mb.conf_path = optarg;
			break;
		case 1019:
			demo = 1;
			break;
		case 1020:
			o.mb.over.oauth2_token_cmd = optarg;
			break;
		case 1021:
			if (strcasecmp(optarg, "xoauth2") != 0 &&
			    strcasecmp(optarg, "oauthbearer") != 0) {
				fprintf(stderr, "sagi: --oauth2-mechanism must be "
				    "xoauth2 or oauthbearer\n");
				return CLI_EXIT_USAGE;
			}
			o.mb.over.oauth2_mechanism = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (o.analyzer.thresholds.suspect_at > o.analyzer.thresholds.phish_at) {
		fprintf(stderr, "sagi: --suspect-at must not exceed --phish-at\n");
		return CLI_EXIT_USAGE;
	}
	if (color == -1)
		color = getenv("NO_COLOR") == NULL && isatty(STDOUT_FILENO);
	o.report.color = color;
	/* SAGI_PKGDATADIR lets tests and uninstalled builds read the packs,
	 * the demo and the keymaps from the source tree. */
	datadir = getenv("SAGI_PKGDATADIR");
	from_env = datadir != NULL && *datadir != '\0';
	if (!from_env)
		datadir = SAGI_PKGDATADIR;
	rules_dir = xasprintf("%s/rules", datadir);
	/* Not installed yet: the tree it was built from. */
	if (!from_env && access(rules_dir, R_OK) != 0) {
		free(rules_dir);
		datadir = SAGI_SRCDIR;
		rules_dir = xasprintf("%s/rules", datadir);
	}
	o.datadir = datadir;
	if (o.nrule_paths == 0)
		o.rule_paths[o.nrule_paths++] = rules_dir;

	main_xdg_paths(&conf_path, &cache_dir, &journal_path, &keys_path);
	o.keys_path = keys_path;
	if (o.mb.conf_path == NULL)
		o.mb.conf_path = conf_path;
	o.mb.cache_dir = cache_dir;
	o.mb.journal_path = journal_path;
	if (optind < argc && (strncmp(argv[optind], "imap://", 7) == 0 ||
	    strncmp(argv[optind], "imaps://", 8) == 0))
		o.mb.url = argv[optind];

	if (*cmd == '\0') {
		if (argc - optind > 1) {
			fprintf(stderr, "sagi: one mailbox at a time\n");
			rc = CLI_EXIT_USAGE;
		} else
			rc = cli_tui(&o, optind < argc ? argv[optind] : NULL,
			    demo);
	} else if (strcmp(cmd, "scan") == 0 && (o.mb.account != NULL ||
	    o.mb.url != NULL || o.mb.over.host != NULL)) {
		if (argc - optind > (o.mb.url != NULL ? 1 : 0)) {
			fprintf(stderr, "sagi: scan: a mailbox and PATHs "
			    "cannot be mixed\n");
			rc = CLI_EXIT_USAGE;
		} else
			rc = cli_scan_store(&o);
	} else if (strcmp(cmd, "junk") == 0 || strcmp(cmd, "undo") == 0) {
		if (argc - optind > (o.mb.url != NULL ? 1 : 0)) {
			fprintf(stderr, "sagi: %s: unexpected argument %s\n",
			    cmd, argv[optind + (o.mb.url != NULL ? 1 : 0)]);
			rc = CLI_EXIT_USAGE;
		} else if (strcmp(cmd, "junk") == 0)
			rc = cli_junk(&o);
		else
			rc = cli_undo(&o);
	} else if (strcmp(cmd, "scan") == 0) {
		if (optind >= argc) {
			fprintf(stderr, "sagi: scan: no PATH given\n");
			rc = CLI_EXIT_USAGE;
		} else
			rc = cli_scan(&o, argv + optind, argc - optind);
	} else if (strcmp(cmd, "explain") == 0) {
		if (argc - optind > 1) {
			fprintf(stderr, "sagi: explain takes one FILE\n");
			rc = CLI_EXIT_USAGE;
		} else
			rc = cli_explain(&o, optind < argc ? argv[optind] : "-");
	} else if (strcmp(cmd, "check-rules") == 0)
		rc = cli_check_rules(&o, argv + optind, argc - optind);
	else {
		fprintf(stderr, "sagi: unknown command: %s\n", cmd);
		usage(stderr);
		rc = CLI_EXIT_USAGE;
	}
	free(rules_dir);
	free(conf_path);
	free(cache_dir);
	free(journal_path);
	free(keys_path);
	return rc;
}
