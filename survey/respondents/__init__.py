"""Several respondents per assessment: invitations, respondents' own responses, consolidation."""
