import { actionPage } from '../action-page';

const page = actionPage('Deposit');
export const generateMetadata = page.generateMetadata;
export default page.ActionPage;
