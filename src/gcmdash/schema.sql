-- gcmdash database schema: the contract analysts, notebooks, checks and the app query.
-- Every fact row carries provenance: document_id + line_start/line_end when parsed from a
-- document in data/raw, source_url when curated. Every table and column has a description
-- (COMMENT ON below); tests fail when one is missing.

CREATE TABLE build_info (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE documents (
    document_id VARCHAR PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL CHECK (length(sha256) = 64),
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    format VARCHAR NOT NULL,
    document_type VARCHAR CHECK (document_type IN ('procedural_note', 'programme_of_work', 'summary', 'chair_summary', 'letter', 'panel_page', 'press_release', 'news_item', 'other')),
    session_number INTEGER CHECK (session_number BETWEEN 1 AND 7),
    classified_by VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('loaded', 'partial', 'failed', 'encrypted', 'no_text', 'duplicate')),
    error VARCHAR,
    duplicate_of VARCHAR,
    original_name VARCHAR,
    page_count INTEGER CHECK (page_count >= 0),
    facts_yielded STRUCT(sessions INTEGER, agenda_items INTEGER, agenda_days INTEGER, roles INTEGER,
                         participation INTEGER, discussion_areas INTEGER, recommendations INTEGER,
                         format_rules INTEGER),
    CHECK ((status = 'loaded') = (error IS NULL)),
    CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL)),
    CHECK (status NOT IN ('loaded', 'partial') OR (document_type IS NOT NULL AND session_number IS NOT NULL))
);

CREATE TABLE document_pages (
    document_id VARCHAR NOT NULL REFERENCES documents (document_id),
    page_number INTEGER NOT NULL CHECK (page_number >= 1),
    line_start INTEGER NOT NULL CHECK (line_start >= 1),
    PRIMARY KEY (document_id, page_number)
);

CREATE TABLE session_facts (
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    fact VARCHAR NOT NULL CHECK (fact IN ('title', 'short_name', 'city', 'country', 'venue', 'start_date', 'end_date')),
    source VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    document_id VARCHAR REFERENCES documents (document_id),
    line_start INTEGER CHECK (line_start >= 1),
    line_end INTEGER,
    source_url VARCHAR,
    reference_row VARCHAR,
    PRIMARY KEY (session_number, fact, source),
    CHECK (line_end >= line_start),
    CHECK ((document_id IS NOT NULL AND line_start IS NOT NULL) OR source_url IS NOT NULL
           OR (fact = 'short_name' AND reference_row IS NOT NULL))
);

CREATE TABLE sessions (
    session_number INTEGER PRIMARY KEY CHECK (session_number BETWEEN 1 AND 7),
    title VARCHAR,
    short_name VARCHAR,
    city VARCHAR,
    country VARCHAR,
    venue VARCHAR,
    start_date DATE,
    end_date DATE,
    document_id VARCHAR REFERENCES documents (document_id),
    line_start INTEGER CHECK (line_start >= 1),
    line_end INTEGER,
    source_url VARCHAR,
    planned_city VARCHAR,
    CHECK (end_date >= start_date),
    CHECK (line_end >= line_start)
);

CREATE TABLE agenda_items (
    document_id VARCHAR NOT NULL REFERENCES documents (document_id),
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    day_number INTEGER NOT NULL CHECK (day_number BETWEEN 1 AND 7),
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    item_type VARCHAR NOT NULL CHECK (item_type IN ('opening', 'welcome', 'panel', 'lunch', 'summary_panel', 'conclusions', 'closing')),
    panel_number INTEGER CHECK (panel_number >= 1),
    title VARCHAR NOT NULL,
    description VARCHAR,
    day_inferred BOOLEAN NOT NULL,
    line_start INTEGER NOT NULL CHECK (line_start >= 1),
    line_end INTEGER NOT NULL,
    PRIMARY KEY (document_id, day_number, start_time),
    CHECK (end_time > start_time),
    CHECK (line_end >= line_start),
    CHECK ((item_type = 'panel') = (panel_number IS NOT NULL))
);

CREATE TABLE format_rules (
    document_id VARCHAR NOT NULL REFERENCES documents (document_id),
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    rule VARCHAR NOT NULL,
    min_value INTEGER NOT NULL CHECK (min_value >= 0),
    max_value INTEGER NOT NULL,
    unit VARCHAR NOT NULL CHECK (unit IN ('minutes', 'experts')),
    evidence VARCHAR NOT NULL,
    line_start INTEGER NOT NULL CHECK (line_start >= 1),
    line_end INTEGER NOT NULL,
    PRIMARY KEY (document_id, rule),
    CHECK (max_value >= min_value),
    CHECK (line_end >= line_start)
);

CREATE TABLE people (
    person_id VARCHAR PRIMARY KEY,
    full_name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL UNIQUE
);

-- roles.person_id names a people row, but people is derived from roles after they load (the
-- display spelling needs every source), so that promise is an invariant in gcmdash/derive/checks.py, not
-- a foreign key.
CREATE TABLE roles (
    role_id VARCHAR PRIMARY KEY,
    person_id VARCHAR NOT NULL,
    listed_name VARCHAR NOT NULL,
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    role VARCHAR NOT NULL CHECK (role IN ('co_facilitator', 'secretary_general', 'panelist', 'moderator', 'thematic_expert')),
    panel_number INTEGER CHECK (panel_number >= 1),
    honorific VARCHAR,
    affiliation VARCHAR,
    gender_as_listed VARCHAR NOT NULL CHECK (gender_as_listed IN ('female', 'male', 'unknown')),
    organisation_type VARCHAR NOT NULL CHECK (organisation_type IN ('government', 'un_system', 'other_intergovernmental', 'academia_research', 'civil_society_ngo', 'private_sector', 'other')),
    organisation_rule VARCHAR NOT NULL,
    document_id VARCHAR REFERENCES documents (document_id),
    line_start INTEGER CHECK (line_start >= 1),
    line_end INTEGER,
    source_url VARCHAR,
    reference_row VARCHAR,
    CHECK (line_end >= line_start),
    CHECK ((document_id IS NOT NULL AND line_start IS NOT NULL) OR source_url IS NOT NULL),
    CHECK ((role IN ('panelist', 'moderator')) = (panel_number IS NOT NULL))
);

CREATE TABLE participation (
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    measure VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    qualifier VARCHAR NOT NULL CHECK (qualifier IN ('exact', 'more_than', 'approximately')),
    evidence VARCHAR,
    document_id VARCHAR REFERENCES documents (document_id),
    line_start INTEGER CHECK (line_start >= 1),
    line_end INTEGER,
    source_url VARCHAR,
    reference_row VARCHAR,
    note VARCHAR,
    PRIMARY KEY (session_number, measure, source),
    CHECK (line_end >= line_start),
    CHECK ((document_id IS NOT NULL AND line_start IS NOT NULL) OR source_url IS NOT NULL)
);

CREATE TABLE discussion_areas (
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    area_letter VARCHAR NOT NULL CHECK (length(area_letter) = 1),
    heading VARCHAR NOT NULL,
    narrative VARCHAR NOT NULL,
    document_id VARCHAR NOT NULL REFERENCES documents (document_id),
    line_start INTEGER NOT NULL CHECK (line_start >= 1),
    line_end INTEGER NOT NULL,
    PRIMARY KEY (session_number, area_letter),
    CHECK (line_end >= line_start)
);

CREATE TABLE recommendations (
    recommendation_id VARCHAR PRIMARY KEY,
    session_number INTEGER NOT NULL,
    area_letter VARCHAR NOT NULL,
    position INTEGER NOT NULL CHECK (position >= 1),
    text VARCHAR NOT NULL CHECK (length(text) > 0),
    document_id VARCHAR NOT NULL REFERENCES documents (document_id),
    line_start INTEGER NOT NULL CHECK (line_start >= 1),
    line_end INTEGER NOT NULL,
    UNIQUE (session_number, area_letter, position),
    FOREIGN KEY (session_number, area_letter) REFERENCES discussion_areas (session_number, area_letter),
    CHECK (line_end >= line_start)
);

CREATE TABLE panels (
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    panel_number INTEGER NOT NULL CHECK (panel_number >= 1),
    source VARCHAR NOT NULL,
    title VARCHAR,
    start_time TIME,
    end_time TIME,
    document_id VARCHAR REFERENCES documents (document_id),
    line_start INTEGER CHECK (line_start >= 1),
    line_end INTEGER,
    source_url VARCHAR,
    reference_row VARCHAR,
    PRIMARY KEY (session_number, panel_number, source),
    CHECK (end_time > start_time),
    CHECK ((document_id IS NOT NULL AND line_start IS NOT NULL) OR source_url IS NOT NULL)
);

-- The people directory, aggregated from roles once per build so the dashboard reads it without
-- aggregating every role on each view. Derived from people and roles (gcmdash/derive/resolve.py); nothing
-- in it is not in those two tables.
CREATE TABLE person_directory (
    person_id VARCHAR PRIMARY KEY REFERENCES people (person_id),
    full_name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    roles STRUCT(session_number INTEGER, role VARCHAR, panel_number INTEGER)[] NOT NULL,
    affiliations VARCHAR[] NOT NULL,
    honorifics VARCHAR[] NOT NULL,
    gender_as_listed VARCHAR NOT NULL CHECK (gender_as_listed IN ('female', 'male', 'unknown')),
    organisation_types VARCHAR[] NOT NULL,
    session_numbers INTEGER[] NOT NULL,
    sources VARCHAR[] NOT NULL
);

-- Names read in a scanned letter that are no known person's (derive/names.py): matched to the one
-- known person they are close to, or left as read when several are close or none is close enough.
CREATE TABLE name_matches (
    role_id VARCHAR PRIMARY KEY,
    document_id VARCHAR NOT NULL,
    line_start INTEGER NOT NULL CHECK (line_start >= 1),
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    listed_name VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('approximate', 'unresolved')),
    person_id VARCHAR,
    similarity DOUBLE NOT NULL CHECK (similarity BETWEEN 0 AND 1),
    candidates VARCHAR[] NOT NULL,
    candidate_similarities DOUBLE[] NOT NULL,
    CHECK ((status = 'approximate') = (person_id IS NOT NULL))
);

CREATE TABLE record_coverage (
    session_number INTEGER NOT NULL CHECK (session_number BETWEEN 1 AND 7),
    item VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('present', 'missing')),
    sources VARCHAR,
    PRIMARY KEY (session_number, item),
    CHECK ((status = 'present') = (sources IS NOT NULL))
);

CREATE TABLE quality_flags (
    flag_id INTEGER PRIMARY KEY,
    check_name VARCHAR NOT NULL,
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    session_number INTEGER,
    document_id VARCHAR,
    line_start INTEGER,
    message VARCHAR NOT NULL
);

COMMENT ON TABLE build_info IS 'How this database was built: input fingerprint, versions. Used to tell when it is stale.';
COMMENT ON COLUMN build_info.key IS 'Name of the build fact (input_fingerprint, gcmdash_version, duckdb_version, schema_sha256).';
COMMENT ON COLUMN build_info.value IS 'Value of the build fact.';

COMMENT ON TABLE documents IS 'Every file found in data/raw, loaded or not, with how it was classified or why it failed.';
COMMENT ON COLUMN documents.document_id IS 'Identifier of the document: its file name in data/raw.';
COMMENT ON COLUMN documents.file_name IS 'File name in data/raw.';
COMMENT ON COLUMN documents.sha256 IS 'SHA-256 of the file bytes; identical content means an identical document.';
COMMENT ON COLUMN documents.size_bytes IS 'Size of the file in bytes.';
COMMENT ON COLUMN documents.format IS 'File format from its ending (txt, md, pdf, docx, html).';
COMMENT ON COLUMN documents.document_type IS 'procedural_note / programme_of_work / summary / chair_summary / letter / panel_page / press_release / news_item / other, classified from the content by its structure.';
COMMENT ON COLUMN documents.session_number IS 'Session the content is about (1-6 thematic sessions, 7 stocktaking), read from the content, not the file name.';
COMMENT ON COLUMN documents.classified_by IS 'The evidence (phrases and their lines) behind document_type and session_number.';
COMMENT ON COLUMN documents.status IS 'loaded: its facts are in the database and the completeness cross-checks found nothing missing; partial: its facts are in the database but some it holds could not be read (error says which; a quality flag document_partial too); failed, encrypted (a password-protected PDF), no_text (nothing to extract, e.g. a scan) or duplicate (identical content to an earlier file): see error.';
COMMENT ON COLUMN documents.error IS 'Why the document is not loaded, or for a partial one what is missing (NULL when loaded).';
COMMENT ON COLUMN documents.facts_yielded IS 'For a loaded or partial document: how many records it gave per kind of fact (sessions, agenda_items, agenda_days = distinct agenda days, roles, participation, discussion_areas, recommendations, format_rules); NULL when not loaded.';
COMMENT ON COLUMN documents.duplicate_of IS 'For a duplicate: the document_id of the identical file that was loaded instead.';
COMMENT ON COLUMN documents.original_name IS 'The name the file had when `gcmdash add` copied it in under a safe name (metadata only, never used as a path).';
COMMENT ON COLUMN documents.page_count IS 'Number of pages, for paged formats (PDF); NULL otherwise.';

COMMENT ON TABLE document_pages IS 'Where each page of a paged document (PDF) starts in its extracted text, so a line number can be cited as page and line.';
COMMENT ON COLUMN document_pages.document_id IS 'The document.';
COMMENT ON COLUMN document_pages.page_number IS 'Page number (1 = first page).';
COMMENT ON COLUMN document_pages.line_start IS 'First line of the extracted text that comes from this page.';

COMMENT ON TABLE session_facts IS 'Every source''s value for every session fact, side by side (parsed documents and curated reference rows).';
COMMENT ON COLUMN session_facts.session_number IS 'Session the fact is about.';
COMMENT ON COLUMN session_facts.fact IS 'title, short_name, city, country, venue, start_date or end_date.';
COMMENT ON COLUMN session_facts.source IS 'document_id when parsed, source_url when curated (the curated file row for an editorial short name given without a URL).';
COMMENT ON COLUMN session_facts.value IS 'The value as that source states it (dates as YYYY-MM-DD).';
COMMENT ON COLUMN session_facts.document_id IS 'Document it was parsed from (NULL when curated).';
COMMENT ON COLUMN session_facts.line_start IS 'First line stating it in the document.';
COMMENT ON COLUMN session_facts.line_end IS 'Last line stating it in the document.';
COMMENT ON COLUMN session_facts.source_url IS 'Public page it was curated from (NULL when parsed).';
COMMENT ON COLUMN session_facts.reference_row IS 'Curated file and row (e.g. sessions.csv:3), NULL when parsed.';

COMMENT ON TABLE sessions IS 'One row per session (1-6 thematic, 7 stocktaking), resolved from session_facts: the session''s own documents first, then the curated record, then announcements in other sessions'' documents.';
COMMENT ON COLUMN sessions.session_number IS 'Session number: 1-6 thematic sessions, 7 the stocktaking meeting.';
COMMENT ON COLUMN sessions.title IS 'Theme of the session as quoted in its documents.';
COMMENT ON COLUMN sessions.short_name IS 'Short display name (curated; NULL when no source gives one).';
COMMENT ON COLUMN sessions.city IS 'City where the session was held.';
COMMENT ON COLUMN sessions.planned_city IS 'City an earlier document announced, when it differs from where the session was held (stocktaking: Guadalajara).';
COMMENT ON COLUMN sessions.country IS 'Country, where the document states it.';
COMMENT ON COLUMN sessions.venue IS 'Venue as the document states it (building, room).';
COMMENT ON COLUMN sessions.start_date IS 'First day of the session.';
COMMENT ON COLUMN sessions.end_date IS 'Last day of the session.';
COMMENT ON COLUMN sessions.document_id IS 'Best document stating facts of this session (procedural note, then programme, then summary); per-fact sources are in session_facts.';
COMMENT ON COLUMN sessions.line_start IS 'First line in that document stating them.';
COMMENT ON COLUMN sessions.line_end IS 'Last line in that document stating them.';
COMMENT ON COLUMN sessions.source_url IS 'Public page of the curated record for this session, if any.';

COMMENT ON TABLE agenda_items IS 'Agenda rows per document: day, times, item type, panel, title and description.';
COMMENT ON COLUMN agenda_items.document_id IS 'Document whose agenda holds this row.';
COMMENT ON COLUMN agenda_items.session_number IS 'Session the agenda belongs to.';
COMMENT ON COLUMN agenda_items.day_number IS 'Day of the session (1 = first day).';
COMMENT ON COLUMN agenda_items.start_time IS 'Start time (local).';
COMMENT ON COLUMN agenda_items.end_time IS 'End time (local).';
COMMENT ON COLUMN agenda_items.item_type IS 'opening / welcome / panel / lunch / summary_panel / conclusions / closing.';
COMMENT ON COLUMN agenda_items.panel_number IS 'Expert panel number for item_type panel, else NULL.';
COMMENT ON COLUMN agenda_items.title IS 'Title of the item (for panels without the "PANEL n:" label).';
COMMENT ON COLUMN agenda_items.description IS 'Description or sub-items of the row, as text.';
COMMENT ON COLUMN agenda_items.day_inferred IS 'TRUE when the document lost the day heading (truncated agenda) and the day was inferred.';
COMMENT ON COLUMN agenda_items.line_start IS 'First line of the row in the document.';
COMMENT ON COLUMN agenda_items.line_end IS 'Last line of the row in the document.';

COMMENT ON TABLE format_rules IS 'Format rules from procedural notes: speaking times and panel sizes.';
COMMENT ON COLUMN format_rules.document_id IS 'Procedural note the rule comes from.';
COMMENT ON COLUMN format_rules.session_number IS 'Session the rule applies to.';
COMMENT ON COLUMN format_rules.rule IS 'Rule name, e.g. floor_intervention_minutes, panelist_presentation_minutes, experts_per_panel.';
COMMENT ON COLUMN format_rules.min_value IS 'Lower bound ("five to seven minutes" gives 5).';
COMMENT ON COLUMN format_rules.max_value IS 'Upper bound ("five to seven minutes" gives 7); equals min_value for a single value.';
COMMENT ON COLUMN format_rules.unit IS 'minutes or experts.';
COMMENT ON COLUMN format_rules.evidence IS 'The sentence the rule was read from.';
COMMENT ON COLUMN format_rules.line_start IS 'First line of that sentence.';
COMMENT ON COLUMN format_rules.line_end IS 'Last line of that sentence.';

COMMENT ON TABLE people IS 'One row per person across all documents (matched on name_key).';
COMMENT ON COLUMN people.person_id IS 'Stable identifier derived from name_key (e.g. ivan-martin).';
COMMENT ON COLUMN people.full_name IS 'Display name with accents kept: the spelling (roles.listed_name) with most accented letters; on a tie the first in load order (procedural notes, programmes, summaries, by document and line; then curated rows).';
COMMENT ON COLUMN people.name_key IS 'Accent-, case- and honorific-free name used to match people across documents.';

COMMENT ON TABLE roles IS 'Who had which role in which session, per document, with honorific and affiliation as that document gives them.';
COMMENT ON COLUMN roles.role_id IS 'Identifier: document_id and the line where the person is named.';
COMMENT ON COLUMN roles.person_id IS 'The person (people.person_id).';
COMMENT ON COLUMN roles.listed_name IS 'The person''s name as this source spells it, without honorific (people.full_name is the spelling shown).';
COMMENT ON COLUMN roles.session_number IS 'Session of the role.';
COMMENT ON COLUMN roles.role IS 'co_facilitator / secretary_general / panelist / moderator / thematic_expert.';
COMMENT ON COLUMN roles.panel_number IS 'Panel number for panelists and moderators, else NULL.';
COMMENT ON COLUMN roles.honorific IS 'Honorific as written in the document (H.E. Mr., Ms., Dr., Prof., ...); NULL when none.';
COMMENT ON COLUMN roles.affiliation IS 'Affiliation as written in this document (kept per document, never overwritten).';
COMMENT ON COLUMN roles.gender_as_listed IS 'female for Ms./Mrs., male for Mr., unknown otherwise (Dr., Prof., H.E. alone): as listed, not inferred.';
COMMENT ON COLUMN roles.organisation_type IS 'Kind of organisation of the affiliation (government, un_system, other_intergovernmental, academia_research, civil_society_ngo, private_sector, other), from the rule table in gcmdash/derive/organisations.py.';
COMMENT ON COLUMN roles.organisation_rule IS 'The rule that decided organisation_type (the words it matched), for transparency.';
COMMENT ON COLUMN roles.document_id IS 'Document naming the person in this role (NULL when curated).';
COMMENT ON COLUMN roles.line_start IS 'First line of the entry naming the person.';
COMMENT ON COLUMN roles.line_end IS 'Last line of that entry.';
COMMENT ON COLUMN roles.source_url IS 'Public page the role was curated from (NULL when parsed).';
COMMENT ON COLUMN roles.reference_row IS 'Curated file and row (e.g. people.csv:5), NULL when parsed.';

COMMENT ON TABLE name_matches IS 'Names read in a document prone to OCR noise (a scanned letter) that match no known person exactly, and what they were matched to: one row per such role.';
COMMENT ON COLUMN name_matches.role_id IS 'The role whose name was read (roles.role_id).';
COMMENT ON COLUMN name_matches.document_id IS 'The document the name was read in.';
COMMENT ON COLUMN name_matches.line_start IS 'The line the name was read on.';
COMMENT ON COLUMN name_matches.session_number IS 'The session of the role.';
COMMENT ON COLUMN name_matches.listed_name IS 'The name as read (roles.listed_name).';
COMMENT ON COLUMN name_matches.status IS 'approximate: recorded as the one known person it is close to; unresolved: several known people are close, or none close enough, so it is kept as read.';
COMMENT ON COLUMN name_matches.person_id IS 'The known person the role was recorded as (approximate only).';
COMMENT ON COLUMN name_matches.similarity IS 'Similarity (0-1) of the name as read to the nearest known person, over OCR-folded name keys.';
COMMENT ON COLUMN name_matches.candidates IS 'The known people within reach of the name, nearest first (person_id).';
COMMENT ON COLUMN name_matches.candidate_similarities IS 'The similarity of each candidate, in the same order.';
COMMENT ON TABLE person_directory IS 'One row per person with all their roles and every source naming them: people and roles aggregated once per build, for the people directory.';
COMMENT ON COLUMN person_directory.person_id IS 'The person (people.person_id).';
COMMENT ON COLUMN person_directory.full_name IS 'people.full_name.';
COMMENT ON COLUMN person_directory.name_key IS 'people.name_key.';
COMMENT ON COLUMN person_directory.roles IS 'Distinct (session_number, role, panel_number) of the person''s roles, sorted.';
COMMENT ON COLUMN person_directory.affiliations IS 'Distinct affiliations as the sources give them, sorted (empty when none does).';
COMMENT ON COLUMN person_directory.honorifics IS 'Distinct honorifics as the sources give them, sorted (empty when none does).';
COMMENT ON COLUMN person_directory.gender_as_listed IS 'female / male when the sources that give a gendered honorific agree; unknown when none does or they disagree.';
COMMENT ON COLUMN person_directory.organisation_types IS 'Distinct roles.organisation_type, sorted.';
COMMENT ON COLUMN person_directory.session_numbers IS 'Sessions the person had a role in, sorted.';
COMMENT ON COLUMN person_directory.sources IS 'Every source naming the person: document and lines, or the curated page''s URL; distinct, sorted.';

COMMENT ON TABLE participation IS 'Participation counts per session and measure, one row per source; missing means not reported, never 0.';
COMMENT ON COLUMN participation.session_number IS 'Session counted.';
COMMENT ON COLUMN participation.measure IS 'member_states_attended, member_state_interventions, un_agencies, non_governmental_stakeholders, informal_dialogue_stakeholders, participants, delegates.';
COMMENT ON COLUMN participation.source IS 'document_id when parsed, source_url when curated: part of the key so two sources can disagree side by side.';
COMMENT ON COLUMN participation.value IS 'The number as stated.';
COMMENT ON COLUMN participation.qualifier IS 'exact, more_than ("over 120") or approximately ("some 50").';
COMMENT ON COLUMN participation.evidence IS 'The sentence the count was read from.';
COMMENT ON COLUMN participation.document_id IS 'Document the count was parsed from (NULL when curated).';
COMMENT ON COLUMN participation.line_start IS 'First line of the count in the document.';
COMMENT ON COLUMN participation.line_end IS 'Last line of the count in the document.';
COMMENT ON COLUMN participation.source_url IS 'Public page the count was curated from (NULL when parsed).';
COMMENT ON COLUMN participation.reference_row IS 'Curated file and row (e.g. participation.csv:4), NULL when parsed.';
COMMENT ON COLUMN participation.note IS 'Curator''s note on the count (e.g. which publication, or that the excerpt was cut).';

COMMENT ON TABLE discussion_areas IS 'Areas of discussion of a co-facilitators summary (a., b., ...), with their narrative.';
COMMENT ON COLUMN discussion_areas.session_number IS 'Session summarised.';
COMMENT ON COLUMN discussion_areas.area_letter IS 'Letter of the area in the summary (a, b, ...).';
COMMENT ON COLUMN discussion_areas.heading IS 'Heading of the area.';
COMMENT ON COLUMN discussion_areas.narrative IS 'Narrative paragraph(s) before the recommendations, repaired (line wraps joined, lost hyphens restored).';
COMMENT ON COLUMN discussion_areas.document_id IS 'Summary the area comes from.';
COMMENT ON COLUMN discussion_areas.line_start IS 'Line of the area heading.';
COMMENT ON COLUMN discussion_areas.line_end IS 'Last line of the area (its last recommendation).';

COMMENT ON TABLE recommendations IS 'Recommendation bullets of a summary, each whole and repaired, with its area and source lines.';
COMMENT ON COLUMN recommendations.recommendation_id IS 'Readable identifier: s<session>-<area letter>-<position>, e.g. s3-g-03.';
COMMENT ON COLUMN recommendations.session_number IS 'Session whose summary lists it.';
COMMENT ON COLUMN recommendations.area_letter IS 'Area of discussion it is listed under.';
COMMENT ON COLUMN recommendations.position IS 'Position of the bullet within its area (1 = first).';
COMMENT ON COLUMN recommendations.text IS 'Full text of the bullet, lines joined and lost hyphens restored.';
COMMENT ON COLUMN recommendations.document_id IS 'Summary it comes from.';
COMMENT ON COLUMN recommendations.line_start IS 'First line of the bullet in the document.';
COMMENT ON COLUMN recommendations.line_end IS 'Last line of the bullet in the document.';

COMMENT ON TABLE panels IS 'Expert panels per session and source: parsed agendas and the curated public programme side by side.';
COMMENT ON COLUMN panels.session_number IS 'Session of the panel.';
COMMENT ON COLUMN panels.panel_number IS 'Panel number within the session.';
COMMENT ON COLUMN panels.source IS 'document_id when parsed, source_url when curated.';
COMMENT ON COLUMN panels.title IS 'Panel title as that source gives it.';
COMMENT ON COLUMN panels.start_time IS 'Start time as that source gives it (NULL when it gives none).';
COMMENT ON COLUMN panels.end_time IS 'End time as that source gives it (NULL when it gives none).';
COMMENT ON COLUMN panels.document_id IS 'Document it was parsed from (NULL when curated).';
COMMENT ON COLUMN panels.line_start IS 'First line of the agenda row.';
COMMENT ON COLUMN panels.line_end IS 'Last line of the agenda row.';
COMMENT ON COLUMN panels.source_url IS 'Public page it was curated from (NULL when parsed).';
COMMENT ON COLUMN panels.reference_row IS 'Curated file and row (e.g. panels.csv:2), NULL when parsed.';

COMMENT ON TABLE record_coverage IS 'What the record holds for each session and what is missing: documents by kind and key facts.';
COMMENT ON COLUMN record_coverage.session_number IS 'Session (1-7).';
COMMENT ON COLUMN record_coverage.item IS 'procedural_note, programme_of_work, summary, dates, venue, agenda, panel_titles, panel_people, participation_counts.';
COMMENT ON COLUMN record_coverage.status IS 'present or missing.';
COMMENT ON COLUMN record_coverage.sources IS 'Documents or URLs holding it (NULL when missing).';

COMMENT ON TABLE quality_flags IS 'What the checks found after the build: overlaps, truncations, short panels, differing affiliations, failed documents.';
COMMENT ON COLUMN quality_flags.flag_id IS 'Sequence number of the flag in this build (ordered by check, session, document, line).';
COMMENT ON COLUMN quality_flags.check_name IS 'Name of the check that raised the flag.';
COMMENT ON COLUMN quality_flags.severity IS 'error (facts lost), warning (facts doubtful or incomplete), info (worth knowing).';
COMMENT ON COLUMN quality_flags.session_number IS 'Session concerned, when there is one.';
COMMENT ON COLUMN quality_flags.document_id IS 'Document concerned, when there is one.';
COMMENT ON COLUMN quality_flags.line_start IS 'Line in the document the flag points at, when there is one.';
COMMENT ON COLUMN quality_flags.message IS 'What was found, naming both sources and values where two disagree.';

-- Themes (gcmdash/topics/, one build stage after the checks): the text units, the topic model that
-- grouped them and the model's provenance, and coverage against the 23 GCM objectives.

CREATE TABLE gcm_objectives (
    objective INTEGER PRIMARY KEY CHECK (objective BETWEEN 1 AND 23),
    short_title VARCHAR NOT NULL,
    hub_label VARCHAR NOT NULL,
    source_url VARCHAR NOT NULL
);

CREATE TABLE gcm_objective_terms (
    objective INTEGER NOT NULL REFERENCES gcm_objectives (objective),
    term VARCHAR NOT NULL,
    weight DOUBLE NOT NULL CHECK (weight > 0 AND weight <= 1),
    source_url VARCHAR NOT NULL,
    PRIMARY KEY (objective, term)
);

CREATE TABLE text_units (
    unit_id VARCHAR PRIMARY KEY,
    session_number INTEGER NOT NULL REFERENCES sessions (session_number),
    unit_type VARCHAR NOT NULL CHECK (unit_type IN ('recommendation', 'panel_description', 'area_narrative', 'session_theme', 'panel_title')),
    text VARCHAR NOT NULL CHECK (length(text) > 0),
    document_id VARCHAR REFERENCES documents (document_id),
    line_start INTEGER CHECK (line_start >= 1),
    line_end INTEGER,
    source_url VARCHAR,
    CHECK (line_end >= line_start),
    CHECK ((document_id IS NOT NULL AND line_start IS NOT NULL) OR source_url IS NOT NULL)
);

CREATE TABLE topic_models (
    model_id VARCHAR PRIMARY KEY,
    method VARCHAR NOT NULL,
    sklearn_version VARCHAR NOT NULL,
    numpy_version VARCHAR NOT NULL,
    scipy_version VARCHAR NOT NULL,
    parameters VARCHAR NOT NULL,
    random_state INTEGER NOT NULL,
    n_topics INTEGER NOT NULL CHECK (n_topics >= 1),
    n_topics_criterion VARCHAR NOT NULL,
    corpus_sha256 VARCHAR NOT NULL CHECK (length(corpus_sha256) = 64),
    objective_terms_sha256 VARCHAR NOT NULL CHECK (length(objective_terms_sha256) = 64),
    unit_count INTEGER NOT NULL CHECK (unit_count >= 0),
    feature_count INTEGER NOT NULL CHECK (feature_count >= 0),
    iteration_count INTEGER NOT NULL CHECK (iteration_count >= 0),
    seed_stability DOUBLE CHECK (seed_stability <= 1),
    subsample_stability DOUBLE CHECK (subsample_stability <= 1),
    stability_summary VARCHAR NOT NULL
);

CREATE TABLE topic_model_selection (
    model_id VARCHAR NOT NULL REFERENCES topic_models (model_id),
    n_topics INTEGER NOT NULL CHECK (n_topics >= 1),
    stability DOUBLE NOT NULL CHECK (stability <= 1),
    chosen BOOLEAN NOT NULL,
    PRIMARY KEY (model_id, n_topics)
);

CREATE TABLE topics (
    topic_id INTEGER PRIMARY KEY CHECK (topic_id >= 1),
    model_id VARCHAR NOT NULL REFERENCES topic_models (model_id),
    label VARCHAR NOT NULL,
    top_terms VARCHAR[] NOT NULL,
    main_objective INTEGER REFERENCES gcm_objectives (objective),
    unit_count INTEGER NOT NULL CHECK (unit_count >= 0),
    recommendation_count INTEGER NOT NULL CHECK (recommendation_count >= 0),
    CHECK (recommendation_count <= unit_count)
);

CREATE TABLE unit_topics (
    unit_id VARCHAR NOT NULL REFERENCES text_units (unit_id),
    topic_id INTEGER NOT NULL REFERENCES topics (topic_id),
    weight DOUBLE NOT NULL CHECK (weight > 0 AND weight <= 1),
    is_primary BOOLEAN NOT NULL,
    PRIMARY KEY (unit_id, topic_id)
);

CREATE TABLE unit_objectives (
    unit_id VARCHAR NOT NULL REFERENCES text_units (unit_id),
    objective INTEGER NOT NULL REFERENCES gcm_objectives (objective),
    score DOUBLE NOT NULL CHECK (score > 0 AND score < 1),
    reason VARCHAR NOT NULL,
    PRIMARY KEY (unit_id, objective)
);

CREATE TABLE coverage (
    session_number INTEGER NOT NULL REFERENCES sessions (session_number),
    objective INTEGER NOT NULL REFERENCES gcm_objectives (objective),
    status VARCHAR NOT NULL CHECK (status IN ('covered', 'gap', 'no_text')),
    session_unit_count INTEGER NOT NULL CHECK (session_unit_count >= 0),
    unit_count INTEGER NOT NULL CHECK (unit_count >= 0),
    recommendation_count INTEGER NOT NULL CHECK (recommendation_count >= 0),
    max_score DOUBLE,
    top_unit_ids VARCHAR[] NOT NULL,
    PRIMARY KEY (session_number, objective),
    CHECK ((status = 'covered') = (unit_count > 0)),
    CHECK ((status = 'no_text') = (session_unit_count = 0)),
    CHECK ((max_score IS NULL) = (unit_count = 0))
);

CREATE TABLE topic_sessions (
    topic_id INTEGER NOT NULL REFERENCES topics (topic_id),
    session_number INTEGER NOT NULL REFERENCES sessions (session_number),
    unit_count INTEGER NOT NULL CHECK (unit_count >= 0),
    session_unit_count INTEGER NOT NULL CHECK (session_unit_count > 0),
    share DOUBLE NOT NULL CHECK (share BETWEEN 0 AND 1),
    weight_share DOUBLE NOT NULL CHECK (weight_share BETWEEN 0 AND 1),
    PRIMARY KEY (topic_id, session_number)
);

COMMENT ON TABLE gcm_objectives IS 'The 23 objectives of the Global Compact for Migration (A/RES/73/195), curated from data/reference/gcm_objectives.csv.';
COMMENT ON COLUMN gcm_objectives.objective IS 'Objective number (1-23).';
COMMENT ON COLUMN gcm_objectives.short_title IS 'Short form of the objective''s title.';
COMMENT ON COLUMN gcm_objectives.hub_label IS 'Label the UN Network on Migration hub gives the objective (e.g. Alternatives to detention).';
COMMENT ON COLUMN gcm_objectives.source_url IS 'Public page the row was curated from.';

COMMENT ON TABLE gcm_objective_terms IS 'Term table that maps text to objectives (data/reference/gcm_objective_terms.csv), written from each objective''s title and actions; matched on light stems.';
COMMENT ON COLUMN gcm_objective_terms.objective IS 'Objective the term points to.';
COMMENT ON COLUMN gcm_objective_terms.term IS 'Word or phrase as written in the table (matched after the same stemming as the text).';
COMMENT ON COLUMN gcm_objective_terms.weight IS 'Evidence of one match: 1 for a specific term, 0.5 for a weak one that needs another to count.';
COMMENT ON COLUMN gcm_objective_terms.source_url IS 'The text of the Global Compact the term was read from.';

COMMENT ON TABLE text_units IS 'Texts the themes are drawn from: recommendations, panel descriptions and titles, area narratives, session themes; each with session and provenance.';
COMMENT ON COLUMN text_units.unit_id IS 'Identifier: the recommendation_id for recommendations (s3-g-03), else s<session>-panel-<n>-description / -title, s<session>-<letter>-narrative, s<session>-theme.';
COMMENT ON COLUMN text_units.session_number IS 'Session the text belongs to.';
COMMENT ON COLUMN text_units.unit_type IS 'recommendation / panel_description / area_narrative / session_theme / panel_title.';
COMMENT ON COLUMN text_units.text IS 'The text as stored in its source table (narratives without their heading).';
COMMENT ON COLUMN text_units.document_id IS 'Document the text was parsed from (NULL when curated); one document per panel however many repeat it.';
COMMENT ON COLUMN text_units.line_start IS 'First line of the text in that document.';
COMMENT ON COLUMN text_units.line_end IS 'Last line of the text in that document.';
COMMENT ON COLUMN text_units.source_url IS 'Public page the text was curated from (curated session themes and panel titles).';

COMMENT ON TABLE topic_models IS 'The model that drew the topics: method, library versions, parameters, random state, corpus hash. One row per build.';
COMMENT ON COLUMN topic_models.model_id IS 'Hash of parameters, corpus, term table and scikit-learn version: the same id means the same model on the same texts.';
COMMENT ON COLUMN topic_models.method IS 'The pipeline in words (features -> factorisation or clustering); the semantic view names its embedding model, package version and weights hash.';
COMMENT ON COLUMN topic_models.sklearn_version IS 'scikit-learn version that fitted the model.';
COMMENT ON COLUMN topic_models.numpy_version IS 'NumPy version used.';
COMMENT ON COLUMN topic_models.scipy_version IS 'SciPy version used.';
COMMENT ON COLUMN topic_models.parameters IS 'JSON of the pipeline parameters that are plain values (scikit-learn get_params, deep).';
COMMENT ON COLUMN topic_models.random_state IS 'Seed of the NMF initialisation (and of the subsamples that chose the number of topics).';
COMMENT ON COLUMN topic_models.n_topics IS 'Number of topics fitted.';
COMMENT ON COLUMN topic_models.n_topics_criterion IS 'How the number of topics was chosen (label-free: the largest k within a tolerance of the best stability across subsamples).';
COMMENT ON COLUMN topic_models.corpus_sha256 IS 'SHA-256 of the text units (ids and texts, in unit_id order) the model was fitted on.';
COMMENT ON COLUMN topic_models.objective_terms_sha256 IS 'SHA-256 of the objective term table the objective view and the mapping used.';
COMMENT ON COLUMN topic_models.unit_count IS 'Number of text units fitted.';
COMMENT ON COLUMN topic_models.feature_count IS 'Number of features (stems and objective scores) the factorisation saw.';
COMMENT ON COLUMN topic_models.iteration_count IS 'Iterations the NMF solver ran (the semantic view: the merges of its Ward tree).';
COMMENT ON COLUMN topic_models.seed_stability IS 'Mean pairwise adjusted Rand index of the units'' strongest topics over 5 fits at the chosen k with random_state 0-4 (1 = identical); NULL when too few units, and for the semantic view (Ward on fixed embeddings has no random state).';
COMMENT ON COLUMN topic_models.subsample_stability IS 'The selection''s stability at the chosen k: mean pairwise adjusted Rand index over 4 subsamples of 80% of the units; NULL when k was given or too few units.';
COMMENT ON COLUMN topic_models.stability_summary IS 'How stable the topics are, in words, from the two agreements (the weaker decides: >= 0.8 stable, >= 0.6 moderately stable, else fragile).';

COMMENT ON TABLE topic_model_selection IS 'Stability of each candidate number of topics; the chosen one is the largest whose stability is within 0.1 of the best.';
COMMENT ON COLUMN topic_model_selection.model_id IS 'Model the selection was made for.';
COMMENT ON COLUMN topic_model_selection.n_topics IS 'Candidate number of topics.';
COMMENT ON COLUMN topic_model_selection.stability IS 'Mean adjusted Rand index between the labelings of models fitted on different random subsamples (1 = identical).';
COMMENT ON COLUMN topic_model_selection.chosen IS 'TRUE for the number of topics the model uses.';

COMMENT ON TABLE topics IS 'Topics of the model: a short label, the top terms, the main GCM objective, the units assigned.';
COMMENT ON COLUMN topics.topic_id IS 'Topic number: 1 is the topic most units are assigned to.';
COMMENT ON COLUMN topics.model_id IS 'Model that drew the topic.';
COMMENT ON COLUMN topics.label IS 'Short readable label: up to three top terms that do not repeat each other.';
COMMENT ON COLUMN topics.top_terms IS 'The topic''s heaviest terms, heaviest first, as they are written in the texts.';
COMMENT ON COLUMN topics.main_objective IS 'Objective whose term score weighs most in the topic (NULL when none does).';
COMMENT ON COLUMN topics.unit_count IS 'Text units whose strongest topic this is.';
COMMENT ON COLUMN topics.recommendation_count IS 'Recommendations whose strongest topic this is.';

COMMENT ON TABLE unit_topics IS 'Weight of each topic in each text unit (shares that sum to 1 per unit; zero weights are left out).';
COMMENT ON COLUMN unit_topics.unit_id IS 'Text unit.';
COMMENT ON COLUMN unit_topics.topic_id IS 'Topic.';
COMMENT ON COLUMN unit_topics.weight IS 'Share of the topic in the unit (NMF loadings normalised per unit, rounded to 6 decimals).';
COMMENT ON COLUMN unit_topics.is_primary IS 'TRUE for the unit''s strongest topic (the first on a tie): its assignment.';

COMMENT ON TABLE unit_objectives IS 'GCM objectives each text unit touches, with a score and the terms that matched.';
COMMENT ON COLUMN unit_objectives.unit_id IS 'Text unit.';
COMMENT ON COLUMN unit_objectives.objective IS 'Objective matched.';
COMMENT ON COLUMN unit_objectives.score IS '1 - 0.5^(sum of the matched terms'' weights): 0.5 for one specific term, 0.75 for two; units under 0.5 are left out.';
COMMENT ON COLUMN unit_objectives.reason IS 'The matched terms as the term table writes them (weak terms with their weight), e.g. matched "detention", "alternatives to detention".';

COMMENT ON TABLE coverage IS 'Every session x GCM objective: covered (some text unit maps to it), gap (the session has text but none maps to it), no_text (no text unit at all).';
COMMENT ON COLUMN coverage.session_number IS 'Session.';
COMMENT ON COLUMN coverage.objective IS 'Objective.';
COMMENT ON COLUMN coverage.status IS 'covered / gap / no_text.';
COMMENT ON COLUMN coverage.session_unit_count IS 'Text units the session has (a gap means more with many units than with one title).';
COMMENT ON COLUMN coverage.unit_count IS 'Text units of the session that map to the objective.';
COMMENT ON COLUMN coverage.recommendation_count IS 'Recommendations among them.';
COMMENT ON COLUMN coverage.max_score IS 'Score of the strongest unit (NULL when none).';
COMMENT ON COLUMN coverage.top_unit_ids IS 'Up to three strongest units (score, then unit_id), for quoting.';

COMMENT ON TABLE topic_sessions IS 'Topic x session: how much of each session''s text falls in each topic, normalised by the session''s number of units.';
COMMENT ON COLUMN topic_sessions.topic_id IS 'Topic.';
COMMENT ON COLUMN topic_sessions.session_number IS 'Session (sessions without text units have no rows).';
COMMENT ON COLUMN topic_sessions.unit_count IS 'Units of the session whose strongest topic this is.';
COMMENT ON COLUMN topic_sessions.session_unit_count IS 'Text units of the session.';
COMMENT ON COLUMN topic_sessions.share IS 'unit_count / session_unit_count.';
COMMENT ON COLUMN topic_sessions.weight_share IS 'Sum of the session''s unit weights on the topic / session_unit_count (a soft share).';
