-- A command's fingerprint (the SHA-256 of its normalized request, lib/event-store/fingerprint.ts)
-- as its 32 bytes instead of 64 hexadecimal characters (33 bytes stored instead of 65). The app
-- still compares it as hex: the engine writes decode(hex) and reads encode(bytes). A row whose
-- fingerprint was not hexadecimal (none is written so) keeps its text's bytes: it still matches no
-- request, as before.
ALTER TABLE "commands" ALTER COLUMN "fingerprint" TYPE BYTEA
  USING CASE WHEN "fingerprint" ~ '^[0-9a-f]{64}$' THEN decode("fingerprint", 'hex') ELSE convert_to("fingerprint", 'UTF8') END;
