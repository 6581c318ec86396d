/* SPDX-License-Identifier: ISC */
/*
 * sagi's entry point: locale, options, and the subcommand.  The
 * environment is read here and nowhere in core.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: sagi scan [--json] [options] PATH...\n"
"       sagi explain [--json] [options] [FILE|-]\n"
"       sagi check-rules [PATH...]\n"
"       sagi --version | --help\n"
"\n"
"PATH is an .eml file, a Maildir (with cur/ and new/) or an mbox file.\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts	 o;
	const char	*cmd, *datadir;
	char		*rules_dir = NULL;
	int		 ch, rc, color = -1, from_env;
	long		 ncpu;

	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof o);
	o.report.lang = main_env_lang();
	o.analyzer.thresholds.suspect_at = DETECT_SUSPECT_AT;
	o.analyzer.thresholds.phish_at = DETECT_PHISH_AT;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 1;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("sagi %s (rule language %d)\n", PACKAGE_VERSION,
		    SAGI_RULES_LANGUAGE);
		return 0;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.report.json = 1;
			break;
		case 'L':
			if (strcmp(optarg, "ja") == 0)
				o.report.lang = VERDICT_JA;
			else if (strcmp(optarg, "en") == 0)
				o.report.lang = VERDICT_EN;
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
	if (o.nrule_paths == 0) {
		/* SAGI_PKGDATADIR lets tests and uninstalled builds read the
		 * packs from the source tree. */
		datadir = getenv("SAGI_PKGDATADIR");
		from_env = datadir != NULL && *datadir != '\0';
		if (!from_env)
			datadir = SAGI_PKGDATADIR;
		rules_dir = xasprintf("%s/rules", datadir);
		/* Not installed yet: the packs of the tree it was built from. */
		if (!from_env && access(rules_dir, R_OK) != 0) {
			free(rules_dir);
			rules_dir = xasprintf("%s/rules", SAGI_SRCDIR);
		}
		o.rule_paths[o.nrule_paths++] = rules_dir;
	}

	if (strcmp(cmd, "scan") == 0) {
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
	return rc;
}
