SELECT count(*) FROM {staging} WHERE load_id = %(load_id)s
