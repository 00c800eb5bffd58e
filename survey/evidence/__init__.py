"""Evidence per answer: a note, a link or an attached file (DESIGN §2 "Answer")."""
