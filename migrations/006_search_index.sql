-- Text search without a scan (issue 12): a trigram index over each record kind's free
-- text (inspection findings, case and complaint summaries, activity notes), so the list's
-- text filter and `record list --search` find a substring of three or more characters,
-- Chinese included, by index instead of reading every row. Entity names are matched on
-- the (small) entity table; see store/search.py.
--
-- External-content FTS5 tables: the text stays in the record tables, the index refers
-- to their rowids, and triggers keep it in step with every write (save, edit, void,
-- import, pull). `INSERT INTO x(x) VALUES ('rebuild')` rebuilds one from its table.

CREATE VIRTUAL TABLE inspection_text USING fts5(findings, content='inspection', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER inspection_text_insert AFTER INSERT ON inspection BEGIN
    INSERT INTO inspection_text (rowid, findings) VALUES (new.rowid, new.findings);
END;
CREATE TRIGGER inspection_text_update AFTER UPDATE OF findings ON inspection BEGIN
    INSERT INTO inspection_text (inspection_text, rowid, findings) VALUES ('delete', old.rowid, old.findings);
    INSERT INTO inspection_text (rowid, findings) VALUES (new.rowid, new.findings);
END;
CREATE TRIGGER inspection_text_delete AFTER DELETE ON inspection BEGIN
    INSERT INTO inspection_text (inspection_text, rowid, findings) VALUES ('delete', old.rowid, old.findings);
END;
INSERT INTO inspection_text (inspection_text) VALUES ('rebuild');

CREATE VIRTUAL TABLE case_text USING fts5(summary, content='case', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER case_text_insert AFTER INSERT ON "case" BEGIN
    INSERT INTO case_text (rowid, summary) VALUES (new.rowid, new.summary);
END;
CREATE TRIGGER case_text_update AFTER UPDATE OF summary ON "case" BEGIN
    INSERT INTO case_text (case_text, rowid, summary) VALUES ('delete', old.rowid, old.summary);
    INSERT INTO case_text (rowid, summary) VALUES (new.rowid, new.summary);
END;
CREATE TRIGGER case_text_delete AFTER DELETE ON "case" BEGIN
    INSERT INTO case_text (case_text, rowid, summary) VALUES ('delete', old.rowid, old.summary);
END;
INSERT INTO case_text (case_text) VALUES ('rebuild');

CREATE VIRTUAL TABLE complaint_text USING fts5(summary, content='complaint', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER complaint_text_insert AFTER INSERT ON complaint BEGIN
    INSERT INTO complaint_text (rowid, summary) VALUES (new.rowid, new.summary);
END;
CREATE TRIGGER complaint_text_update AFTER UPDATE OF summary ON complaint BEGIN
    INSERT INTO complaint_text (complaint_text, rowid, summary) VALUES ('delete', old.rowid, old.summary);
    INSERT INTO complaint_text (rowid, summary) VALUES (new.rowid, new.summary);
END;
CREATE TRIGGER complaint_text_delete AFTER DELETE ON complaint BEGIN
    INSERT INTO complaint_text (complaint_text, rowid, summary) VALUES ('delete', old.rowid, old.summary);
END;
INSERT INTO complaint_text (complaint_text) VALUES ('rebuild');

CREATE VIRTUAL TABLE activity_text USING fts5(note, content='activity', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER activity_text_insert AFTER INSERT ON activity BEGIN
    INSERT INTO activity_text (rowid, note) VALUES (new.rowid, new.note);
END;
CREATE TRIGGER activity_text_update AFTER UPDATE OF note ON activity BEGIN
    INSERT INTO activity_text (activity_text, rowid, note) VALUES ('delete', old.rowid, old.note);
    INSERT INTO activity_text (rowid, note) VALUES (new.rowid, new.note);
END;
CREATE TRIGGER activity_text_delete AFTER DELETE ON activity BEGIN
    INSERT INTO activity_text (activity_text, rowid, note) VALUES ('delete', old.rowid, old.note);
END;
INSERT INTO activity_text (activity_text) VALUES ('rebuild');
