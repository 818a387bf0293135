/**
 * What the supervision figures need of other modules, adapted in app.ts: the divisions and
 * departments the filters list and the rows are named by (regions), and the published items whose
 * depth, visits and handling kind give 网上可办率, 最多跑一次 and 即办件 on the item side (catalog).
 */
export interface StatsDivision {
  readonly code: string;
  readonly name: string;
}

export interface StatsDepartment {
  readonly id: string;
  readonly name: string;
  readonly regionCode: string;
}

/** One published item as the catalogue figures count it. */
export interface StatsItem {
  readonly departmentId: string;
  readonly regionCode: string;
  /** 事项类型 code: 01 行政许可 … 20 公共服务 */
  readonly type: string;
  /** 网上办理深度 Ⅰ–Ⅳ */
  readonly depth: number;
  /** 到办事现场次数 */
  readonly visits: number;
  /** 即办件 */
  readonly immediate: boolean;
}

export interface StatsPorts {
  readonly regions: {
    division(code: string): Promise<StatsDivision | undefined>;
    /** the divisions one level below (a city's counties) */
    children(code: string): Promise<StatsDivision[]>;
    departments(regionCode: string): Promise<StatsDepartment[]>;
    department(id: string): Promise<StatsDepartment | undefined>;
  };
  readonly catalog: {
    /** every published item, in pages */
    items(): AsyncGenerator<StatsItem[]>;
  };
}

/** No neighbours: figures named by their codes, no catalogue figures (unit tests, tools). */
export const noStatsPorts: StatsPorts = {
  regions: {
    division: async () => undefined,
    children: async () => [],
    departments: async () => [],
    department: async () => undefined,
  },
  catalog: {
    async *items() {},
  },
};
