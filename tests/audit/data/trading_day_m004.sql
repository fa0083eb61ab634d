-- The trading day of tests/audit/scenario.py (write_trading_day), written by the real audit writer
-- of commit cf44297 (migrations m001-m004: one hash-chain link per row) and dumped with sqlite3's
-- iterdump. Loaded by tests/audit/m004_files.py to test the upgrade to m005 and verify of old blocks.
BEGIN TRANSACTION;
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);
INSERT INTO "_sqlite_migrations" VALUES(1,'qmt_engine_audit','m001_initial','2026-11-25 03:23:45.828719+00:00');
INSERT INTO "_sqlite_migrations" VALUES(2,'qmt_engine_audit','m002_reconciliation_and_alerts','2026-11-25 03:23:45.830431+00:00');
INSERT INTO "_sqlite_migrations" VALUES(3,'qmt_engine_audit','m003_daily_statements','2026-11-25 03:23:45.831393+00:00');
INSERT INTO "_sqlite_migrations" VALUES(4,'qmt_engine_audit','m004_append_only_and_hash_chain','2026-11-25 03:23:45.833621+00:00');
CREATE TABLE alerts (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE audit_chain (
    block INTEGER PRIMARY KEY,
    first_position INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    entries TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    head_hash TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    note TEXT
);
INSERT INTO "audit_chain" VALUES(1,1,1,'[["runs","live-1",1,"ffefe6473d71cf7572193b04c7fe29ed10c3f0db127fcf96053b302ff445df04"]]','0000000000000000000000000000000000000000000000000000000000000000','034313129314be8b99e1ad83b9a556b46b4954b6800a2ffc09f0328ca50e39f1','2026-11-25T03:23:45.839975+00:00',NULL);
INSERT INTO "audit_chain" VALUES(2,2,4,'[["connection_events","live-1",2,"8964ff4f0d5014a47a5d2a8ec07094e81bfdf3b5b838c2e8d4836829a8b22997"],["risk_decisions","live-1",3,"86ff2266bd686adde07f2aadab900a1c83bd2e7a4eaee6d6a13d313a031aba44"],["risk_decisions","live-1",4,"8afc95efa7a0854135f329b1c02c946b178754067698447757838dac27c882bf"],["order_intents","live-1",5,"55c3e31347031a51806fec41b933788ae9536a6e05677d95698339110567de1b"]]','034313129314be8b99e1ad83b9a556b46b4954b6800a2ffc09f0328ca50e39f1','2c565ff82f91309ab2d4975741a4b31d35a68264596a35e8101ee77396bd3e18','2026-11-25T03:23:45.845105+00:00',NULL);
INSERT INTO "audit_chain" VALUES(3,6,10,'[["order_submissions","live-1",6,"89bed01b3c6193a6c578892c95d74f277e2d2e59294a01d2c8c8c77d0c237dc1"],["order_updates","live-1",7,"579e903e17f3b4887b59bfb42f924ad5e01f766ef2e44433e334d8df4cbbfa78"],["fills","live-1",8,"7e577fe6c70a801f23bd352876975392466a28b6ebb4fadc23b40925d08a8196"],["order_updates","live-1",9,"368d66199c1361b006d1bec9f7e77a999c0af684b28a694e396b9af2e5a457fd"],["fills","live-1",10,"32119b1d7473eff278a402aaaed315664bc480f506fe7a01eaf4daa70b19c804"],["order_updates","live-1",11,"72637b1d267c9414e6b33d325a627d50e3c1ff7197fe2fd2628f037fcec4dd78"],["risk_decisions","live-1",12,"7c77831ca71a08b87aa725e19eac40701d808f27176a8cce8c46023ebd91f87d"],["risk_decisions","live-1",13,"37cdf82759aa95373b06a2c0e64ab9524d94ce19035700da9a60ac6af4b2d40e"],["order_denials","live-1",14,"d1e1cfbc9bb37c3bce221b95a90d4fa46db94ad68e24bcac044ecb9b6b7bac01"],["order_intents","live-1",15,"2bb359f3969836610a07dab95ade3d3596575c3d983d51fe4c742a125dec9f14"]]','2c565ff82f91309ab2d4975741a4b31d35a68264596a35e8101ee77396bd3e18','dc06421e421c7ff41bcaf47f0ab246fca29aef7732957c132a8e1704f112bd04','2026-11-25T03:23:45.846421+00:00',NULL);
INSERT INTO "audit_chain" VALUES(4,16,6,'[["order_submissions","live-1",16,"be76b601bbe390d15955166a3f2a0d23ea205fdcb15a2cd0711ff97d66dca7d0"],["order_updates","live-1",17,"7dc20e4bc034e271df0def48e3f8e517040b06574fefd99eab7cda83f34cab96"],["order_errors","live-1",18,"979ad1b18817161500fc9be5b46860f5c6ef1c736e44e18a7907a2491a508c21"],["plugin_errors","live-1",19,"c14b6b9d7fb393eaf436c0dc7fce3d2d44dd848c9370f4e145902a5bb8444cc0"],["plugin_errors","live-1",20,"94a9310ac24db4e120935873f11aa370f04b499ece598ea707f7b96bc8a15090"],["order_intents","live-1",21,"546db458550a1daa0b0763e9f730899fe4a8ab32621b84bf86633eef16aed1a2"]]','dc06421e421c7ff41bcaf47f0ab246fca29aef7732957c132a8e1704f112bd04','075667130f069584f24e12cf5621430265248c8ec9d37150f9edf14e6bf73599','2026-11-25T03:23:45.847392+00:00',NULL);
INSERT INTO "audit_chain" VALUES(5,22,12,'[["order_submissions","live-1",22,"f8b81e9709410051471fddccba8d6087055b073da229f0491068aa58097dfa3d"],["order_updates","live-1",23,"4df69bc60a5338d0cabdfbcfd57126f010ca49800c528814c39dbd68d7f281fb"],["fills","live-1",24,"8242e9cffe95d1852c85c54b9108800cf6f59e7d242f7e02f00556eacb45d605"],["order_updates","live-1",25,"6f7cae54276746ab410cf19cda16c383c376ad9812fb570b48965c3695ed55c8"],["cancel_requests","live-1",26,"46ac0dae964dad27d9ef64fe0c1aed76c1ab7f42ff8ae6f0d91310491eed451f"],["cancel_errors","live-1",27,"c20137c3a59765286036e408e4751c7af8699fca00055765278773a797a9c258"],["connection_events","live-1",28,"3b7dc27f7e6b96ff1aa89e6e7fa28199608acee31976de38db338515222ffe7e"],["connection_events","live-1",29,"cf69996653bc4368054b44395e8a7d33c7d26c47673b13c14c6854dd3ec1efa5"],["connection_events","live-1",30,"842ab7122ea84558e736b64fe8f9e69769a81b3f9011bf01fc968475138a882a"],["trading_states","live-1",31,"3a44d32687b381b3ee6fca2c7e2eac161e5361a012f70032525191a0b3e67f1b"],["job_runs","live-1",32,"d833c25d75b936234e3e6d096b31a3571f232b195b9e3f5a83d843b70dff494b"],["run_stops","live-1",33,"8269ee3fc72ec3e47bdd6169e515922fb3352be3971d86556576710f98091cad"]]','075667130f069584f24e12cf5621430265248c8ec9d37150f9edf14e6bf73599','36b7399d557c1e1bdece07402546a8c02553b9df7e6749d742e2656f3debba2c','2026-11-25T03:23:45.848499+00:00',NULL);
INSERT INTO "audit_chain" VALUES(6,34,1,'[["runs","live-2",1,"b7fc1c45375683d2cd5475e2a54f50f3f0dc92561cc2972beafeda6417fa218b"]]','36b7399d557c1e1bdece07402546a8c02553b9df7e6749d742e2656f3debba2c','3120029d70715d8115c96db3cbb5a89d7db8d6f2ad3a1f5c815e33adb31b5f1f','2026-11-25T03:23:45.849645+00:00',NULL);
INSERT INTO "audit_chain" VALUES(7,35,3,'[["fills","live-2",2,"0e2571c08dc28c704ce6276e23cbd0d7341b592f69ba86a97de93b30f6d5a25d"],["order_updates","live-2",3,"86d2e512a4a3d93b990a5c606a2dad4fd1bff16a15255f7f723073558efc51f9"],["runs","paper-1",1,"605cb5a950284bc92ddf207d0af43941691456a76d3c3c74459af37112a05055"]]','3120029d70715d8115c96db3cbb5a89d7db8d6f2ad3a1f5c815e33adb31b5f1f','b4bce63bab5c758fbb3a0ffa31c3e7c047288860f087c48e7fbcf314a224b038','2026-11-25T03:23:45.850452+00:00',NULL);
INSERT INTO "audit_chain" VALUES(8,38,1,'[["order_intents","paper-1",2,"98681d1668df03ac6c39900ee234a7aff7cdc802ac8d01975b9361a3ff7dce04"]]','b4bce63bab5c758fbb3a0ffa31c3e7c047288860f087c48e7fbcf314a224b038','913829bc72b91e96e93b99486b96d8170db5cb0bfcddfc639fd6e34471ef7059','2026-11-25T03:23:45.851238+00:00',NULL);
INSERT INTO "audit_chain" VALUES(9,39,1,'[["fills","paper-1",3,"01d09d1a0e2c69ec17d2d2aedb6e6c9d4ce3a2e780fa7045f6abdf662b9e5d74"]]','913829bc72b91e96e93b99486b96d8170db5cb0bfcddfc639fd6e34471ef7059','276fa1080e91add898e464c19eac579d3138572d64c5ce6f15b2cf5564e2df99','2026-11-25T03:23:45.851954+00:00',NULL);
CREATE TABLE audit_unchained (
    table_name TEXT PRIMARY KEY,
    max_rowid INTEGER NOT NULL,
    row_count INTEGER NOT NULL
);
INSERT INTO "audit_unchained" VALUES('runs',0,0);
INSERT INTO "audit_unchained" VALUES('run_stops',0,0);
INSERT INTO "audit_unchained" VALUES('risk_decisions',0,0);
INSERT INTO "audit_unchained" VALUES('order_denials',0,0);
INSERT INTO "audit_unchained" VALUES('order_intents',0,0);
INSERT INTO "audit_unchained" VALUES('order_submissions',0,0);
INSERT INTO "audit_unchained" VALUES('order_updates',0,0);
INSERT INTO "audit_unchained" VALUES('fills',0,0);
INSERT INTO "audit_unchained" VALUES('order_errors',0,0);
INSERT INTO "audit_unchained" VALUES('cancel_requests',0,0);
INSERT INTO "audit_unchained" VALUES('cancel_errors',0,0);
INSERT INTO "audit_unchained" VALUES('connection_events',0,0);
INSERT INTO "audit_unchained" VALUES('plugin_errors',0,0);
INSERT INTO "audit_unchained" VALUES('job_runs',0,0);
INSERT INTO "audit_unchained" VALUES('trading_states',0,0);
INSERT INTO "audit_unchained" VALUES('reconciliation_diffs',0,0);
INSERT INTO "audit_unchained" VALUES('alerts',0,0);
INSERT INTO "audit_unchained" VALUES('daily_statements',0,0);
CREATE TABLE cancel_errors (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT,
    order_id INTEGER,
    strategy TEXT,
    error_id INTEGER,
    error_msg TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "cancel_errors" VALUES('live-1',27,'2025-01-02T09:30:27',NULL,1004,'ma_cross',-1,'cancel pending');
CREATE TABLE cancel_requests (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT,
    order_id INTEGER,
    strategy TEXT,
    result INTEGER,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "cancel_requests" VALUES('live-1',26,'2025-01-02T09:30:26','c-4',1004,'ma_cross',0);
CREATE TABLE connection_events (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    session_id INTEGER,
    detail TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "connection_events" VALUES('live-1',2,'2025-01-02T09:30:02','connected',1,'');
INSERT INTO "connection_events" VALUES('live-1',28,'2025-01-02T09:30:28','disconnected',123456,'heartbeat lost');
INSERT INTO "connection_events" VALUES('live-1',29,'2025-01-02T09:30:29','reconnecting',123456,'');
INSERT INTO "connection_events" VALUES('live-1',30,'2025-01-02T09:30:30','reconnected',2,'');
CREATE TABLE daily_statements (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    day TEXT NOT NULL,
    statement TEXT,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE fills (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    trade_id TEXT NOT NULL,
    client_order_id TEXT,
    order_id INTEGER,
    strategy TEXT,
    code TEXT,
    side TEXT,
    price TEXT,
    volume INTEGER,
    amount TEXT,
    commission TEXT,
    traded_time TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "fills" VALUES('live-1',8,'2025-01-02T09:30:08','T1','c-1',1001,'ma_cross','600000.SH','buy','10.50',200,'2100.00','5.00','2025-01-02T09:31:00');
INSERT INTO "fills" VALUES('live-1',10,'2025-01-02T09:30:10','T2','c-1',1001,'ma_cross','600000.SH','buy','10.52',100,'1052.00','5.00','2025-01-02T09:31:00');
INSERT INTO "fills" VALUES('live-1',24,'2025-01-02T09:30:24','T3','c-4',1004,'ma_cross','000001.SZ','buy','9.80',100,'980.00','5.00','2025-01-02T09:31:00');
INSERT INTO "fills" VALUES('live-2',2,'2025-01-02T12:30:02','T3','c-4',1004,'ma_cross','000001.SZ','buy','9.80',100,'980.00','5.00','2025-01-02T09:31:00');
INSERT INTO "fills" VALUES('paper-1',3,'2025-01-02T13:30:03','T1','p-1',1001,'ma_cross','600000.SH','buy','10.50',100,'1050.00','5.00','2025-01-02T09:31:00');
CREATE TABLE job_runs (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    job TEXT,
    target TEXT,
    scheduled_for TEXT,
    outcome TEXT,
    duration_ms REAL,
    error TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "job_runs" VALUES('live-1',32,'2025-01-02T09:30:32','close_out','ma_cross','2025-01-02T14:55:00','ok',1.5,'');
CREATE TABLE order_denials (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    strategy TEXT,
    code TEXT,
    side TEXT,
    volume INTEGER,
    price TEXT,
    rule TEXT,
    plugin TEXT,
    reason TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "order_denials" VALUES('live-1',14,'2025-01-02T09:30:14','c-2','ma_cross','600000.SH','buy',6000,'10.00','max_order_value','default_risk','order value 60000.00 > 50000.00');
CREATE TABLE order_errors (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT,
    order_id INTEGER,
    strategy TEXT,
    error_id INTEGER,
    error_msg TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "order_errors" VALUES('live-1',18,'2025-01-02T09:30:18','c-3',1003,'ma_cross',-61,'资金不足');
CREATE TABLE order_intents (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    strategy TEXT,
    code TEXT,
    side TEXT,
    volume INTEGER,
    price TEXT,
    price_type INTEGER,
    external INTEGER NOT NULL DEFAULT 0 CHECK (external IN (0, 1)),
    PRIMARY KEY (run_id, seq),
    UNIQUE (run_id, client_order_id)
);
INSERT INTO "order_intents" VALUES('live-1',5,'2025-01-02T09:30:05','c-1','ma_cross','600000.SH','buy',300,'10.50',11,0);
INSERT INTO "order_intents" VALUES('live-1',15,'2025-01-02T09:30:15','c-3','ma_cross','600000.SH','buy',100,'10.40',11,0);
INSERT INTO "order_intents" VALUES('live-1',21,'2025-01-02T09:30:21','c-4','ma_cross','000001.SZ','buy',500,'9.80',11,0);
INSERT INTO "order_intents" VALUES('paper-1',2,'2025-01-02T13:30:02','p-1','ma_cross','600000.SH','buy',100,'10.50',11,0);
CREATE TABLE order_submissions (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    request_seq INTEGER,
    result INTEGER,
    detail TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "order_submissions" VALUES('live-1',6,'2025-01-02T09:30:06','c-1',1,1,'');
INSERT INTO "order_submissions" VALUES('live-1',16,'2025-01-02T09:30:16','c-3',2,2,'');
INSERT INTO "order_submissions" VALUES('live-1',22,'2025-01-02T09:30:22','c-4',3,3,'');
CREATE TABLE order_updates (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    order_id INTEGER,
    order_sysid TEXT,
    status INTEGER,
    status_label TEXT,
    previous_status INTEGER,
    traded_volume INTEGER,
    status_msg TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "order_updates" VALUES('live-1',7,'2025-01-02T09:30:07','c-1',1001,'S1',50,'reported',48,0,'');
INSERT INTO "order_updates" VALUES('live-1',9,'2025-01-02T09:30:09','c-1',1001,'S1',55,'partly filled',50,200,'');
INSERT INTO "order_updates" VALUES('live-1',11,'2025-01-02T09:30:11','c-1',1001,'S1',56,'filled',55,300,'');
INSERT INTO "order_updates" VALUES('live-1',17,'2025-01-02T09:30:17','c-3',1003,'S1',57,'rejected',48,0,'资金不足');
INSERT INTO "order_updates" VALUES('live-1',23,'2025-01-02T09:30:23','c-4',1004,'S1',50,'reported',48,0,'');
INSERT INTO "order_updates" VALUES('live-1',25,'2025-01-02T09:30:25','c-4',1004,'S1',55,'partly filled',50,100,'');
INSERT INTO "order_updates" VALUES('live-2',3,'2025-01-02T12:30:03','c-4',1004,'S1',53,'partly cancelled',55,100,'');
CREATE TABLE plugin_errors (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    plugin TEXT,
    hook TEXT,
    error_type TEXT,
    error TEXT,
    traceback TEXT,
    hook_input TEXT,
    consecutive_failures INTEGER,
    faulted INTEGER NOT NULL DEFAULT 0 CHECK (faulted IN (0, 1)),
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "plugin_errors" VALUES('live-1',19,'2025-01-02T09:30:19','bad_strategy','on_tick','ZeroDivisionError','division by zero','Traceback ...','Tick(600000.SH)',1,0);
INSERT INTO "plugin_errors" VALUES('live-1',20,'2025-01-02T09:30:20','bad_strategy','on_tick','ZeroDivisionError','division by zero','Traceback ...','Tick(600000.SH)',2,1);
CREATE TABLE reconciliation_diffs (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT,
    engine_value TEXT,
    broker_value TEXT,
    action TEXT,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE risk_decisions (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    strategy TEXT,
    code TEXT,
    side TEXT,
    volume INTEGER,
    price TEXT,
    allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),
    rule TEXT,
    plugin TEXT,
    reason TEXT,
    value TEXT,
    limit_value TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "risk_decisions" VALUES('live-1',3,'2025-01-02T09:30:03','c-1','ma_cross','600000.SH','buy',300,'10.50',1,'max_order_value','default_risk','','3150.00','50000.00');
INSERT INTO "risk_decisions" VALUES('live-1',4,'2025-01-02T09:30:04','c-1','ma_cross','600000.SH','buy',300,'10.50',1,'lot_size','default_risk','','300','100');
INSERT INTO "risk_decisions" VALUES('live-1',12,'2025-01-02T09:30:12','c-2','ma_cross','600000.SH','buy',6000,'10.00',1,'lot_size','default_risk','','6000','100');
INSERT INTO "risk_decisions" VALUES('live-1',13,'2025-01-02T09:30:13','c-2','ma_cross','600000.SH','buy',6000,'10.00',0,'max_order_value','default_risk','order value 60000.00 > 50000.00','60000.00','50000.00');
CREATE TABLE run_stops (
    run_id TEXT NOT NULL PRIMARY KEY REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    reason TEXT,
    summary TEXT
);
INSERT INTO "run_stops" VALUES('live-1',33,'2025-01-02T09:30:33','signal','{"orders": 3}');
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    mode TEXT NOT NULL,
    config_path TEXT,
    account TEXT,
    engine_version TEXT,
    settings TEXT
);
INSERT INTO "runs" VALUES('live-1',1,'2025-01-02T09:30:01','live','config.yaml','******1234','0.1.0','{"max_order_value": "50000.00"}');
INSERT INTO "runs" VALUES('live-2',1,'2025-01-02T12:30:01','live','config.yaml','******1234','0.1.0','{"max_order_value": "50000.00"}');
INSERT INTO "runs" VALUES('paper-1',1,'2025-01-02T13:30:01','paper','config.yaml','SIM','0.1.0','{"max_order_value": "50000.00"}');
CREATE TABLE trading_states (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    scope TEXT,
    previous TEXT,
    current TEXT,
    cause TEXT,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO "trading_states" VALUES('live-1',31,'2025-01-02T09:30:31','account','ACTIVE','HALTED','reconnect');
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");
CREATE INDEX idx_risk_decisions_client_order_id ON risk_decisions (client_order_id);
CREATE INDEX idx_order_denials_client_order_id ON order_denials (client_order_id);
CREATE INDEX idx_order_intents_client_order_id ON order_intents (client_order_id);
CREATE INDEX idx_order_submissions_client_order_id ON order_submissions (client_order_id);
CREATE INDEX idx_order_updates_client_order_id ON order_updates (client_order_id);
CREATE INDEX idx_fills_client_order_id ON fills (client_order_id);
CREATE INDEX idx_fills_trade_id ON fills (trade_id);
CREATE INDEX idx_order_errors_client_order_id ON order_errors (client_order_id);
CREATE INDEX idx_cancel_requests_client_order_id ON cancel_requests (client_order_id);
CREATE INDEX idx_cancel_errors_client_order_id ON cancel_errors (client_order_id);
CREATE VIEW run_scopes AS
SELECT run_id, rowid AS run_order, mode,
       CASE WHEN mode = 'live' THEN 'live:' || COALESCE(account, '') ELSE 'run:' || run_id END AS scope
FROM runs;
CREATE VIEW run_overview AS
SELECT r.run_id, r.rowid AS run_order, r.ts AS started_at, s.ts AS stopped_at, r.mode,
       r.config_path, r.account, r.engine_version, r.settings,
       s.reason AS stop_reason, s.summary
FROM runs r LEFT JOIN run_stops s ON s.run_id = r.run_id;
CREATE VIEW fill_facts AS
SELECT f.*, s.scope, s.run_order, substr(f.ts, 1, 10) AS trading_day,
       FIRST_VALUE(f.run_id) OVER execution AS first_seen_run_id,
       ROW_NUMBER() OVER execution > 1 AS is_repeat
FROM fills f JOIN run_scopes s ON s.run_id = f.run_id
WINDOW execution AS (
    PARTITION BY s.scope, f.code, substr(f.ts, 1, 10), f.trade_id
    ORDER BY s.run_order, f.seq
);
CREATE INDEX idx_daily_statements_day ON daily_statements (day);
CREATE TRIGGER [runs_append_only_update] BEFORE UPDATE ON [runs] BEGIN SELECT RAISE(ABORT, 'runs is append-only: rows cannot be updated'); END;
CREATE TRIGGER [runs_append_only_delete] BEFORE DELETE ON [runs] BEGIN SELECT RAISE(ABORT, 'runs is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [run_stops_append_only_update] BEFORE UPDATE ON [run_stops] BEGIN SELECT RAISE(ABORT, 'run_stops is append-only: rows cannot be updated'); END;
CREATE TRIGGER [run_stops_append_only_delete] BEFORE DELETE ON [run_stops] BEGIN SELECT RAISE(ABORT, 'run_stops is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [risk_decisions_append_only_update] BEFORE UPDATE ON [risk_decisions] BEGIN SELECT RAISE(ABORT, 'risk_decisions is append-only: rows cannot be updated'); END;
CREATE TRIGGER [risk_decisions_append_only_delete] BEFORE DELETE ON [risk_decisions] BEGIN SELECT RAISE(ABORT, 'risk_decisions is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [order_denials_append_only_update] BEFORE UPDATE ON [order_denials] BEGIN SELECT RAISE(ABORT, 'order_denials is append-only: rows cannot be updated'); END;
CREATE TRIGGER [order_denials_append_only_delete] BEFORE DELETE ON [order_denials] BEGIN SELECT RAISE(ABORT, 'order_denials is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [order_intents_append_only_update] BEFORE UPDATE ON [order_intents] BEGIN SELECT RAISE(ABORT, 'order_intents is append-only: rows cannot be updated'); END;
CREATE TRIGGER [order_intents_append_only_delete] BEFORE DELETE ON [order_intents] BEGIN SELECT RAISE(ABORT, 'order_intents is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [order_submissions_append_only_update] BEFORE UPDATE ON [order_submissions] BEGIN SELECT RAISE(ABORT, 'order_submissions is append-only: rows cannot be updated'); END;
CREATE TRIGGER [order_submissions_append_only_delete] BEFORE DELETE ON [order_submissions] BEGIN SELECT RAISE(ABORT, 'order_submissions is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [order_updates_append_only_update] BEFORE UPDATE ON [order_updates] BEGIN SELECT RAISE(ABORT, 'order_updates is append-only: rows cannot be updated'); END;
CREATE TRIGGER [order_updates_append_only_delete] BEFORE DELETE ON [order_updates] BEGIN SELECT RAISE(ABORT, 'order_updates is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [fills_append_only_update] BEFORE UPDATE ON [fills] BEGIN SELECT RAISE(ABORT, 'fills is append-only: rows cannot be updated'); END;
CREATE TRIGGER [fills_append_only_delete] BEFORE DELETE ON [fills] BEGIN SELECT RAISE(ABORT, 'fills is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [order_errors_append_only_update] BEFORE UPDATE ON [order_errors] BEGIN SELECT RAISE(ABORT, 'order_errors is append-only: rows cannot be updated'); END;
CREATE TRIGGER [order_errors_append_only_delete] BEFORE DELETE ON [order_errors] BEGIN SELECT RAISE(ABORT, 'order_errors is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [cancel_requests_append_only_update] BEFORE UPDATE ON [cancel_requests] BEGIN SELECT RAISE(ABORT, 'cancel_requests is append-only: rows cannot be updated'); END;
CREATE TRIGGER [cancel_requests_append_only_delete] BEFORE DELETE ON [cancel_requests] BEGIN SELECT RAISE(ABORT, 'cancel_requests is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [cancel_errors_append_only_update] BEFORE UPDATE ON [cancel_errors] BEGIN SELECT RAISE(ABORT, 'cancel_errors is append-only: rows cannot be updated'); END;
CREATE TRIGGER [cancel_errors_append_only_delete] BEFORE DELETE ON [cancel_errors] BEGIN SELECT RAISE(ABORT, 'cancel_errors is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [connection_events_append_only_update] BEFORE UPDATE ON [connection_events] BEGIN SELECT RAISE(ABORT, 'connection_events is append-only: rows cannot be updated'); END;
CREATE TRIGGER [connection_events_append_only_delete] BEFORE DELETE ON [connection_events] BEGIN SELECT RAISE(ABORT, 'connection_events is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [plugin_errors_append_only_update] BEFORE UPDATE ON [plugin_errors] BEGIN SELECT RAISE(ABORT, 'plugin_errors is append-only: rows cannot be updated'); END;
CREATE TRIGGER [plugin_errors_append_only_delete] BEFORE DELETE ON [plugin_errors] BEGIN SELECT RAISE(ABORT, 'plugin_errors is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [job_runs_append_only_update] BEFORE UPDATE ON [job_runs] BEGIN SELECT RAISE(ABORT, 'job_runs is append-only: rows cannot be updated'); END;
CREATE TRIGGER [job_runs_append_only_delete] BEFORE DELETE ON [job_runs] BEGIN SELECT RAISE(ABORT, 'job_runs is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [trading_states_append_only_update] BEFORE UPDATE ON [trading_states] BEGIN SELECT RAISE(ABORT, 'trading_states is append-only: rows cannot be updated'); END;
CREATE TRIGGER [trading_states_append_only_delete] BEFORE DELETE ON [trading_states] BEGIN SELECT RAISE(ABORT, 'trading_states is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [reconciliation_diffs_append_only_update] BEFORE UPDATE ON [reconciliation_diffs] BEGIN SELECT RAISE(ABORT, 'reconciliation_diffs is append-only: rows cannot be updated'); END;
CREATE TRIGGER [reconciliation_diffs_append_only_delete] BEFORE DELETE ON [reconciliation_diffs] BEGIN SELECT RAISE(ABORT, 'reconciliation_diffs is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [alerts_append_only_update] BEFORE UPDATE ON [alerts] BEGIN SELECT RAISE(ABORT, 'alerts is append-only: rows cannot be updated'); END;
CREATE TRIGGER [alerts_append_only_delete] BEFORE DELETE ON [alerts] BEGIN SELECT RAISE(ABORT, 'alerts is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [daily_statements_append_only_update] BEFORE UPDATE ON [daily_statements] BEGIN SELECT RAISE(ABORT, 'daily_statements is append-only: rows cannot be updated'); END;
CREATE TRIGGER [daily_statements_append_only_delete] BEFORE DELETE ON [daily_statements] BEGIN SELECT RAISE(ABORT, 'daily_statements is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [audit_unchained_append_only_update] BEFORE UPDATE ON [audit_unchained] BEGIN SELECT RAISE(ABORT, 'audit_unchained is append-only: rows cannot be updated'); END;
CREATE TRIGGER [audit_unchained_append_only_delete] BEFORE DELETE ON [audit_unchained] BEGIN SELECT RAISE(ABORT, 'audit_unchained is append-only: rows cannot be deleted'); END;
CREATE TRIGGER [audit_chain_append_only_update] BEFORE UPDATE ON [audit_chain] BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only: rows cannot be updated'); END;
CREATE TRIGGER [audit_chain_append_only_delete] BEFORE DELETE ON [audit_chain] BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only: rows cannot be deleted'); END;
COMMIT;
