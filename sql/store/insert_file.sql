-- Records a stored file with the counts of its rows (Store::begin_file,
-- FileLoad::finish).
INSERT INTO files (file_id, sha256, file_name, source, kind, sheet, loaded_on,
                   n_rows, n_loaded, n_rejected, layout, question_numbers,
                   repeats_questions)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
